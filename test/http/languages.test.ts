// Languages and branding: the sign-in speaks French when the application (ui_locales) or the browser
// (Accept-Language) asks for it, or when the account saved it; e-mailed PINs follow the saved
// preference; My Profile saves it; the product name replaces "Identity Provider" on pages, in
// e-mails and as the authenticator apps' issuer label. Error pages, the "form expired" notice and My
// Profile's confirmations answer in the reader's language, and so does the console (test/http/console-languages.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SoftTokenService } from '../../src/tokens/soft-token.service.js';
import { createEnrolledUser } from '../support/enrolled-user.js';
import { PortalHarness } from '../support/portal-harness.js';
import { openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { fetchTransport, findForm, type Page, type Transport, UserAgent } from '../support/user-agent.js';

/** A browser whose Accept-Language is `language`. */
const browser = (language?: string) => {
  const transport: Transport = (url, request) => fetchTransport(url, { ...request, headers: { ...request.headers, ...(language ? { 'accept-language': language } : {}) } });
  return new UserAgent({}, transport);
};
/** A raw message as a person reads it: quoted-printable decoded as UTF-8 (accents included). */
const mailText = (raw: string) => Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
const langOf = (page: Page) => /<html lang="(\w+)">/.exec(page.html)?.[1];
const FRENCH_LOGIN_LABEL = '<label for="login">Nom d\'utilisateur ou adresse e-mail</label>';
const ENGLISH_LOGIN_LABEL = '<label for="login">Username or e-mail address</label>';
/** The page's text as a person reads it (apostrophes unescaped). */
const textOf = (page: Page) => page.html.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
/** The links of a page, as { href, text }. */
const links = (page: Page) => [...textOf(page).matchAll(/<a [^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(([, href, text]) => ({ href: href!, text: text! }));
const uidOf = (page: Page) => /\/interaction\/([^/"]+)\//.exec(page.html)![1]!;

describe('languages of the sign-in, e-mails and branding', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), PIN_RESEND_COOLDOWN: '0', REQUIRE_SOFT_TOKEN: 'false' } });
    rp = await registerRelyingParty(server);
    const users = server.app.services.users;
    await users.create({ username: 'anne', email: 'anne@example.com', password: 'anne password 1' });
    const fabien = await users.create({ username: 'fabien', email: 'fabien@example.com', password: 'fabien password 1' });
    await users.setLocale(fabien.id, 'fr');
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  const settings = () => server.app.services.settings;
  const signInPage = async (agent: UserAgent, extra: Record<string, string> = {}) => openLogin(agent, await startAuthorization(rp, extra));

  it('speaks English with no hint, and French with ui_locales=fr — errors included', async () => {
    const english = await signInPage(browser());
    expect(langOf(english)).toBe('en');
    expect(english.html).toContain(ENGLISH_LOGIN_LABEL);

    const agent = browser();
    const french = await signInPage(agent, { ui_locales: 'fr' });
    expect(langOf(french)).toBe('fr');
    expect(french.html).toContain('<h1>Connexion</h1>');
    expect(french.html).toContain(FRENCH_LOGIN_LABEL);
    const refused = await agent.submit(french, '/step/password', { login: 'anne', password: 'wrong password' });
    expect(refused.html).toMatch(/<div class="alert error" role="alert">Le nom d(&#39;|')utilisateur ou le mot de passe est incorrect\.<\/div>/);
    expect(langOf(refused)).toBe('fr');
  });

  it('follows Accept-Language, and ui_locales before it', async () => {
    const french = await signInPage(browser('fr-FR,fr;q=0.9,en;q=0.5'));
    expect(langOf(french)).toBe('fr');
    expect(french.html).toContain(FRENCH_LOGIN_LABEL);

    const asked = await signInPage(browser('fr'), { ui_locales: 'en' });
    expect(langOf(asked)).toBe('en');
    expect(asked.html).toContain(ENGLISH_LOGIN_LABEL);

    const unsupported = await signInPage(browser('de-DE, it;q=0.8'));
    expect(langOf(unsupported)).toBe('en');
  });

  it('uses the default language setting when nothing else says', async () => {
    await settings().update({ 'i18n.defaultLocale': 'fr' });
    try {
      const page = await signInPage(browser());
      expect(langOf(page)).toBe('fr');
      expect(page.html).toContain(FRENCH_LOGIN_LABEL);
      expect(langOf(await signInPage(browser('en')))).toBe('en');
    } finally {
      await settings().update({ 'i18n.defaultLocale': 'en' });
    }
  });

  it("prefers the account's saved language to the default, on the pages and in the e-mailed PIN", async () => {
    const agent = browser();
    const login = await signInPage(agent);
    expect(langOf(login)).toBe('en');
    const seen = smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'fabien', password: 'fabien password 1' }));
    expect(langOf(pinPage)).toBe('fr');
    expect(pinPage.html).toContain('<h1>Saisissez votre code PIN à usage unique</h1>');
    // Said once, with the expiry as a duration like the e-mail's.
    expect(pinPage.html).toMatch(/Nous avons envoyé un code PIN à f•+@example\.com\./);
    expect(pinPage.html.split('Nous avons envoyé un code PIN').length - 1).toBe(1);
    expect(pinPage.html).toContain('Il expire dans 5 minutes.');

    const mail = await smtp.next('fabien@example.com', seen);
    const text = mailText(mail.raw);
    expect(text).toMatch(/^Subject: .*Votre.code.PIN/m);
    expect(text).toContain('Bonjour');
    expect(text).toMatch(/Votre code PIN à usage unique est : \d{6}/);
    expect(text).toContain('Il expire dans 5 minutes');
    expect(text).not.toContain('Your one-time PIN');
  });

  it('e-mails a user without a saved language in the default one', async () => {
    const agent = browser('fr');
    const seen = smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(await signInPage(agent), '/step/password', { login: 'anne', password: 'anne password 1' }));
    // The page follows the browser; the e-mail cannot know it and uses the default (English).
    expect(langOf(pinPage)).toBe('fr');
    const text = mailText((await smtp.next('anne@example.com', seen)).raw);
    expect(text).toMatch(/Your one-time PIN is: \d{6}/);
    expect(text).toContain('It expires in 5 minutes and can be used once.');
  });

  it('shows the product name and logo on the sign-in pages and in e-mails', async () => {
    await settings().update({ 'brand.name': 'Acme Sign-In', 'brand.logoUrl': '/static/acme.svg' });
    try {
      const agent = browser();
      const login = await signInPage(agent);
      expect(login.html).toContain('<title>Sign in · Acme Sign-In</title>');
      expect(login.html).toMatch(/<header class="brand"><img class="logo" src="\/static\/acme.svg" alt="Acme Sign-In logo"[^>]*> Acme Sign-In/);
      expect(login.html).not.toContain('Identity Provider');
      const seen = smtp.messages.length;
      const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'anne', password: 'anne password 1' }));
      expect(pinPage.html).toContain('<title>Enter your one-time PIN · Acme Sign-In</title>');
      const text = mailText((await smtp.next('anne@example.com', seen)).raw);
      expect(text).toContain('-- Acme Sign-In');
    } finally {
      await settings().update({ 'brand.name': 'Identity Provider', 'brand.logoUrl': '' });
    }
    const plain = await signInPage(browser());
    expect(plain.html).not.toContain('class="logo"');
    // However wide the logo, it stays within a phone's screen and the header's height.
    const css = await (await fetch(`${server.url}/static/app.css`)).text();
    expect(css).toMatch(/\.brand img\.logo, \.topbar img\.logo \{[^}]*max-height: 2rem;[^}]*max-width: 100%;/);
  });

  it('answers a page that is not there in the browser\'s language, with a way on', async () => {
    const page = await browser('fr-FR,fr;q=0.9').get(`${server.url}/no-such-page`);
    expect(page.status).toBe(404);
    expect(langOf(page)).toBe('fr');
    expect(textOf(page)).toContain("<h1>Nous n'avons pas trouvé cette page</h1>");
    expect(textOf(page)).toContain("La page demandée n'existe pas.");
    expect(links(page)).toContainEqual({ href: '/account', text: 'Aller à Mon profil' });
    expect(textOf(page)).toContain('<ul class="ways" aria-label="Où aller maintenant">');
    expect(page.html).not.toContain('We could not find that page');

    const english = await browser().get(`${server.url}/no-such-page`);
    expect(langOf(english)).toBe('en');
    expect(english.html).toContain('We could not find that page');
    expect(links(english)).toContainEqual({ href: '/account', text: 'Go to My Profile' });
  });

  it('says an unknown sign-in has expired in French to a French browser', async () => {
    const page = await browser('fr').get(`${server.url}/interaction/no-such-sign-in`);
    expect(page.status).toBe(401);
    expect(langOf(page)).toBe('fr');
    expect(textOf(page)).toContain('<h1>Votre connexion a expiré</h1>');
    expect(textOf(page)).toContain("Votre session de connexion a expiré. Retournez dans l'application et recommencez.");
    expect(textOf(page)).toContain("Rien n'est perdu : recommencez la connexion depuis le début.");
    expect(links(page)).toContainEqual({ href: '/account', text: 'Aller à Mon profil' });
  });

  it("speaks a sign-in's ui_locales on its expired page, and starting again keeps it", async () => {
    const login = await signInPage(browser(), { ui_locales: 'fr' });
    // Cookies cleared: a browser with no language of its own meets the sign-in again.
    const stranger = browser();
    const page = await stranger.get(`${server.url}/interaction/${uidOf(login)}`);
    expect(page.status).toBe(401);
    expect(langOf(page)).toBe('fr');
    expect(textOf(page)).toContain('<h1>Votre connexion a expiré</h1>');
    const restart = links(page).find((l) => l.text === 'Recommencer la connexion');
    expect(restart?.href).toMatch(/^\/auth\?.*ui_locales=fr/);
    const again = await stranger.follow(await stranger.get(`${server.url}${restart!.href}`));
    expect(langOf(again)).toBe('fr');
    expect(again.html).toContain(FRENCH_LOGIN_LABEL);
  });

  it('shows a form whose cookie is gone again with the notice in the sign-in\'s language', async () => {
    const agent = browser('fr');
    const login = await signInPage(agent);
    const refused = await agent.post(`${server.url}/interaction/${uidOf(login)}/step/password`, { login: 'anne', password: 'anne password 1', _csrf: 'from-an-old-page' });
    expect(refused.status).toBe(403);
    expect(langOf(refused)).toBe('fr');
    expect(textOf(refused)).toContain("Votre formulaire a expiré. Rien n'a été envoyé : remplissez-le à nouveau, puis envoyez-le.");
    expect(refused.html).toContain(FRENCH_LOGIN_LABEL);
  });

  it('lists the account in authenticator apps under the product name', async () => {
    const s = server.app.services;
    const tokens = new SoftTokenService(server.app.ds, s.clock, s.box, s.audit, server.config.tokens, server.config.brand, s.users, s.notices);
    const anne = (await s.users.findByLogin('anne'))!;
    await settings().update({ 'brand.name': 'Acme: ID' });
    try {
      const uri = new URL((await tokens.createForApp(anne)).uri);
      expect(uri.protocol + uri.host).toBe('otpauth:totp');
      expect(uri.searchParams.get('issuer')).toBe('Acme ID');
      expect(decodeURIComponent(uri.pathname)).toBe('/Acme ID:anne@example.com');
    } finally {
      await settings().update({ 'brand.name': 'Identity Provider' });
    }
  });
});

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
});
