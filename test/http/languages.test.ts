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
import { browser, langOf, links, textOf } from '../support/languages.js';
import { findForm, type Page, type UserAgent } from '../support/user-agent.js';

/** A raw message as a person reads it: quoted-printable decoded as UTF-8 (accents included). */
const mailText = (raw: string) => Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
const FRENCH_LOGIN_LABEL = '<label for="login">Nom d\'utilisateur ou adresse e-mail</label>';
const ENGLISH_LOGIN_LABEL = '<label for="login">Username or e-mail address</label>';
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
