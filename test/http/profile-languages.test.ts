// My Profile and the console in the reader's language: the language saved in My Profile is spoken from
// then on, factors are named in plain words, confirmations ask in the reader's language, and a
// refused form keeps what was typed (the sign-in's languages: test/http/languages.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEnrolledUser } from '../support/enrolled-user.js';
import { browser, langOf, links } from '../support/languages.js';
import { PortalHarness } from '../support/portal-harness.js';
import { findForm, UserAgent } from '../support/user-agent.js';

describe('My Profile and the console: the saved language, factors in plain words, confirmations, a refused form', () => {
  let p: PortalHarness;

  beforeAll(async () => {
    p = await PortalHarness.start();
  });

  afterAll(async () => {
    await p?.close();
  });

  it('saves the language chosen in My Profile and speaks it from then on', async () => {
    const { agent, page, user } = await p.user('lena');
    expect(langOf(page)).toBe('en');
    // The factors of a session in plain words, never amr codes (pwd, otp, mfa).
    expect(page.html).toContain('<td data-label="Factors">password, soft token or recovery code</td>');
    expect(page.html).not.toMatch(/\bpwd\b|\bmfa\b/);
    expect(page.html).toContain('<label for="locale">Language for e-mails, text messages and pages</label>');
    const saved = await p.post(agent, page, '/account/language', { locale: 'fr' });
    expect(langOf(saved)).toBe('fr');
    expect(saved.html).toContain('<h1>Mon profil</h1>');
    expect(saved.html).toMatch(/<option value="fr" lang="fr" selected>Français<\/option>/);
    expect((await p.server.app.services.users.findByLogin(user.username))!.locale).toBe('fr');
    expect(saved.html).toContain('<td data-label="Facteurs">mot de passe, jeton logiciel ou code de récupération</td>');

    const back = await p.post(agent, saved, '/account/language', { locale: '' });
    expect(langOf(back)).toBe('en');
    expect((await p.server.app.services.users.findByLogin(user.username))!.locale).toBeNull();
  });

  /** A French browser signed in to the console. */
  async function staffBrowser(name: string): Promise<UserAgent> {
    const { secret } = await createEnrolledUser(p.server, name, p.now, 'superadmin');
    const agent = browser('fr');
    expect((await p.signIn(agent, name, secret, `${p.server.url}/admin/users`)).html).toContain('<h1>Utilisateurs</h1>');
    return agent;
  }

  it('serves the local-time script from /static, where the console\'s audit log takes it', async () => {
    const staff = await staffBrowser('rosa');
    const audit = await staff.get(`${p.server.url}/admin/audit`);
    expect(audit.status).toBe(200);
    expect(audit.html).toContain('<script src="/static/local-time.js" defer></script>');
    const script = await fetch(`${p.server.url}/static/local-time.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain("querySelectorAll('time.local-time[datetime]')");
    expect((await staff.get(`${p.server.url}/admin/static/local-time.js`)).status).toBe(404);
  });

  it("asks before deleting a soft token in a French browser's language; the console asks in French too", async () => {
    const { user, secret, token } = await createEnrolledUser(p.server, 'noe', p.now);
    const agent = browser('fr');
    const profile = await p.signIn(agent, 'noe', secret);
    expect(langOf(profile)).toBe('fr');
    // On a phone the tokens table stacks, each cell under its label.
    expect(profile.html).toContain(`<td data-label="Nom">${token.name}</td>`);
    const asked = await p.post(agent, profile, `/account/tokens/${token.id}/delete`);
    expect(asked.status).toBe(200);
    expect(langOf(asked)).toBe('fr');
    expect(findForm(asked.html, `/account/tokens/${token.id}/delete`).hidden.confirm).toBe('yes');
    expect(links(asked)).toContainEqual({ href: '/account#authenticators', text: 'Non, revenir en arrière' });
    expect(asked.html).not.toContain('No, go back');
    // The question and what will happen are French too, the token named.
    expect(asked.html).toContain(`<h1>Supprimer votre jeton logiciel « ${token.name} » ?</h1>`);
    expect(asked.html).toContain('Oui, le supprimer');
    expect(asked.html).not.toContain('Delete your soft token');
    expect((await p.server.app.services.tokens.list(user.id)).map((t) => t.id)).toContain(token.id);

    const staff = await staffBrowser('olga');
    const detail = await staff.get(`${p.server.url}/admin/users/${user.id}`);
    const consoleAsk = await p.post(staff, detail, `/admin/users/${user.id}/delete`);
    expect(langOf(consoleAsk)).toBe('fr');
    expect(links(consoleAsk)).toContainEqual({ href: `/admin/users/${user.id}`, text: 'Non, revenir en arrière' });
    expect(consoleAsk.html).not.toContain('No, go back');
  });

  it('keeps what was typed in a refused security-questions form, the reason in the reader\'s language', async () => {
    const { agent, user } = await p.user('paul');
    const form = await agent.get(`${p.server.url}/account/questions`);
    const typed = { q1: 'What was the name of your first pet?', a1: 'Rex the dog', own2: 'Which street did you grow up on?', a2: 'Rex the dog', q3: 'In what city were you born?', a3: 'Lyon' };
    const refused = await p.post(agent, form, '/account/questions', typed);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Give a different answer to each question.');
    expect(refused.html).toMatch(/<option value="What was the name of your first pet\?" selected>/);
    expect(refused.html).toMatch(/<option value="In what city were you born\?" selected>/);
    expect(refused.html).toMatch(/<input id="own2" name="own2"[^>]* value="Which street did you grow up on\?">/);
    expect(refused.html).toMatch(/<input id="a1" name="a1"[^>]* value="Rex the dog">/);
    expect(refused.html).toMatch(/<input id="a3" name="a3"[^>]* value="Lyon">/);
    // Nothing was saved; the form, sent again fixed, saves.
    expect(await p.server.app.services.questions.questionsOf(user.id)).not.toContain('Which street did you grow up on?');
    const saved = await p.post(agent, refused, '/account/questions', { ...typed, a2: 'Elm Street' });
    expect(saved.url).toBe(`${p.server.url}/account`);
    expect(await p.server.app.services.questions.questionsOf(user.id)).toContain('Which street did you grow up on?');

    const { secret } = await createEnrolledUser(p.server, 'quentin', p.now);
    const french = browser('fr');
    await p.signIn(french, 'quentin', secret);
    const frForm = await french.get(`${p.server.url}/account/questions`);
    const frRefused = await p.post(french, frForm, '/account/questions', { q1: 'What was the name of your first pet?', a1: 'Médor' });
    expect(frRefused.status).toBe(400);
    expect(langOf(frRefused)).toBe('fr');
    expect(frRefused.html).toContain('Choisissez au moins 3 questions et répondez à chacune.');
    expect(frRefused.html).toMatch(/<input id="a1" name="a1"[^>]* value="Médor">/);
  });

  it('refuses a language it does not have', async () => {
    const { agent, page, user } = await p.user('mila');
    const refused = await p.post(agent, page, '/account/language', { locale: 'xx' });
    expect(refused.html).toContain('The request is not valid.');
    expect((await p.server.app.services.users.findByLogin(user.username))!.locale).toBeNull();
  });

  it('says "signed out" in the browser\'s language, naming the area, with the way back in', async () => {
    const fr = await browser('fr').get(`${p.server.url}/account/signed-out`);
    expect(langOf(fr)).toBe('fr');
    expect(fr.html).toContain('Vous vous êtes déconnecté de Mon profil.');
    expect(links(fr)).toContainEqual({ href: '/account', text: 'Se reconnecter' });
    const en = await browser('en').get(`${p.server.url}/account/signed-out`);
    expect(en.html).toContain('You have signed out of My Profile.');
    expect(links(en)).toContainEqual({ href: '/account', text: 'Sign in again' });
  });
});
