// The admin console in the administrator's language: the browser's Accept-Language first, then the
// language the administrator saved, then the default (English). Headings, labels, select lists,
// setting labels and units, notices and confirmations follow it, `<html lang>` too; times are
// <time> elements the browser shows in its own zone. oidc-provider's own error page speaks the
// browser's language as well.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role } from '../../src/persistence/entities/user.entity.js';
import { catalogues } from '../../src/i18n/i18n.js';
import { createEnrolledUser } from '../support/enrolled-user.js';
import { ConsoleHarness } from '../support/console-harness.js';
import { browser, langOf } from '../support/languages.js';
import type { Page } from '../support/user-agent.js';

/** The page's text as a person reads it: no tags, entities decoded. */
const textOf = (page: Page) =>
  page.html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

const { en, fr } = catalogues();
/** English console texts of two words or more that French says differently, without placeholders: none may show on a French page. */
const englishOnly = Object.keys(en)
  .filter((k) => k.startsWith('console.') && en[k] !== fr[k] && !en[k]!.includes('{') && en[k]!.trim().includes(' '))
  .map((k) => en[k]!);

describe('the console in the administrator’s language', () => {
  let c: ConsoleHarness;

  beforeAll(async () => {
    c = await ConsoleHarness.start();
  });

  afterAll(async () => {
    await c?.close();
  });

  const staff = (username: string, role: Role, language?: string) => c.staff(username, role, { language });
  const signIn = (username: string, secret: Uint8Array, language?: string) => c.signIn(username, secret, { language });
  const post = (...args: Parameters<ConsoleHarness['post']>) => c.post(...args);

  const noEnglish = (page: Page) => expect(englishOnly.filter((text) => textOf(page).includes(text))).toEqual([]);

  it('speaks French to a French browser: users, a user, settings, the audit log', async () => {
    const { agent, page } = await staff('amelie', 'superadmin', 'fr-FR, fr;q=0.9, en;q=0.5');
    expect(langOf(page)).toBe('fr');
    expect(page.html).toContain('<h1>Utilisateurs</h1>');
    expect(page.html).toContain('<label for="q">Rechercher par nom d\'utilisateur ou adresse e-mail</label>');
    expect(page.html).toContain('<a href="/admin/audit">Journal d\'audit</a>');
    // Roles and statuses stay data in the database; their names are French.
    expect(page.html).toContain('<td data-label="Rôle">super-administrateur</td>');
    expect(page.html).toContain('<td data-label="Statut">actif</td>');
    noEnglish(page);

    const target = await createEnrolledUser(c.server, 'bruno', c.now);
    const user = await agent.get(`${c.url}/admin/users/${target.user.id}`);
    expect(langOf(user)).toBe('fr');
    expect(user.html).toContain('<h2 id="details">Informations</h2>');
    expect(user.html).toContain('<label for="email">Adresse e-mail</label>');
    expect(user.html).toContain('<option value="helpdesk">assistance</option>');
    expect(user.html).toContain('<h2 id="authenticators">Authentificateurs</h2>');
    expect(user.html).toContain('<td data-label="Type">application d\'authentification</td>');
    expect(user.html).toContain('<caption>Sessions auprès du fournisseur</caption>');
    expect(user.html).toContain('<h2 id="recovery-codes">Codes de récupération</h2>');
    noEnglish(user);

    // A notice after an action, and a confirmation, in French.
    const locked = await post(agent, user, `/admin/users/${target.user.id}/lock`);
    expect(textOf(locked)).toContain("Le compte est verrouillé jusqu'à ce qu'un administrateur le déverrouille.");
    const asked = await post(agent, locked, `/admin/users/${target.user.id}/delete`);
    expect(langOf(asked)).toBe('fr');
    expect(textOf(asked)).toContain("Supprimer l'utilisateur bruno ?");
    expect(textOf(asked)).toContain('Oui, supprimer bruno');
    expect(textOf(asked)).toContain('Non, revenir en arrière');
    expect(await c.server.app.services.users.findById(target.user.id)).not.toBeNull();

    const settings = await agent.get(`${c.url}/admin/settings`);
    expect(langOf(settings)).toBe('fr');
    expect(settings.html).toContain('<h1>Paramètres</h1>');
    expect(settings.html).toContain('<label for="pin__ttl">Durée de validité du code PIN à usage unique</label>');
    expect(settings.html).toMatch(/<option value="minutes"( selected)?>minutes<\/option><option value="hours"( selected)?>heures<\/option><option value="days"( selected)?>jours<\/option>/);
    expect(settings.html).toContain('<option value="sms" selected>SMS</option>');
    expect(settings.html).toMatch(/<option value="true"( selected)?>Oui<\/option><option value="false"( selected)?>Non<\/option>/);
    expect(settings.html).toContain('<option value="fr">Français</option>');
    expect(settings.html).toContain('<button type="submit">Enregistrer les paramètres</button>');
    noEnglish(settings);

    const audit = await agent.get(`${c.url}/admin/audit`);
    expect(langOf(audit)).toBe('fr');
    expect(audit.html).toContain('<h1>Journal d\'audit</h1>');
    expect(audit.html).toContain('<th scope="col">Concerné</th>');
    expect(audit.html).toContain('>Heures en UTC</span>');
    expect(audit.html).toContain('data-local="Heures dans votre fuseau horaire ({zone})"');
    // Times are shown in the reader's zone by the script, in UTC without it.
    expect(audit.html).toMatch(/<td data-label="Date"><time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z" class="local-time">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time><\/td>/);
    expect(audit.html).toContain('<script src="/static/local-time.js" defer></script>');
    expect(audit.html).toContain('<td data-label="Résultat">réussite</td>');
    noEnglish(audit);
  });

  it('speaks English to an English browser, and by default', async () => {
    const { agent, page } = await staff('edith', 'admin', 'en-GB, en;q=0.9, fr;q=0.5');
    expect(langOf(page)).toBe('en');
    expect(page.html).toContain('<h1>Users</h1>');
    expect(page.html).toContain('<td data-label="Role">administrator</td>');
    const settings = await agent.get(`${c.url}/admin/settings`);
    expect(langOf(settings)).toBe('en');
    expect(settings.html).toContain('<label for="pin__ttl">One-time PIN lifetime</label>');
    expect(settings.html).toMatch(/<option value="hours"( selected)?>hours<\/option>/);
    const audit = await agent.get(`${c.url}/admin/audit`);
    expect(audit.html).toContain('<h1>Audit log</h1>');
    expect(audit.html).toContain('>Times in UTC</span>');

    const { page: plain } = await staff('felix', 'admin');
    expect(langOf(plain)).toBe('en');
    expect(plain.html).toContain('<h1>Users</h1>');
  });

  it('follows the language the administrator saved when the browser asks for none it has; the browser comes first', async () => {
    const { user, secret } = await createEnrolledUser(c.server, 'gaston', c.now, 'helpdesk');
    await c.server.app.services.users.setLocale(user.id, 'fr');
    const { page } = await signIn('gaston', secret, 'de');
    expect(langOf(page)).toBe('fr');
    expect(page.html).toContain('<h1>Utilisateurs</h1>');
    const { page: english } = await signIn('gaston', secret, 'en');
    expect(langOf(english)).toBe('en');
    expect(english.html).toContain('<h1>Users</h1>');
  });

  it('says goodbye in the browser’s language', async () => {
    const fr = await browser('fr').get(`${c.url}/admin/signed-out`);
    expect(langOf(fr)).toBe('fr');
    expect(textOf(fr)).toContain("la console d'administration");
    const en = await browser().get(`${c.url}/admin/signed-out`);
    expect(langOf(en)).toBe('en');
    expect(textOf(en)).toContain('the admin console');
  });

  it("answers oidc-provider's own error page in the browser's language", async () => {
    const path = '/auth?client_id=nope&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2Fcb';
    const french = await browser('fr').get(`${c.url}${path}`);
    expect(french.status).toBe(400);
    expect(langOf(french)).toBe('fr');
    expect(french.html).toContain('<h1>Cette demande ne peut pas aboutir</h1>');
    expect(textOf(french)).toContain("L'application a envoyé une demande qui ne peut pas aboutir.");
    expect(french.html).toContain('<code>invalid_client</code>');
    const english = await browser('en').get(`${c.url}${path}`);
    expect(langOf(english)).toBe('en');
    expect(english.html).toContain('<h1>This request cannot be completed</h1>');
  });
});
