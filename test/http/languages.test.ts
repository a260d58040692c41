// Languages and branding: the sign-in speaks French when the application (ui_locales) or the browser
// (Accept-Language) asks for it, or when the account saved it; e-mailed PINs follow the saved
// preference; My Profile saves it; the product name replaces "Identity Provider" on pages, in
// e-mails and as the authenticator apps' issuer label.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SoftTokenService } from '../../src/tokens/soft-token.service.js';
import { PortalHarness } from '../support/portal-harness.js';
import { openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { fetchTransport, type Page, type Transport, UserAgent } from '../support/user-agent.js';

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

describe('My Profile: the saved language, factors in plain words', () => {
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

  it('refuses a language it does not have', async () => {
    const { agent, page, user } = await p.user('mila');
    const refused = await p.post(agent, page, '/account/language', { locale: 'xx' });
    expect(refused.html).toContain('The request is not valid.');
    expect((await p.server.app.services.users.findByLogin(user.username))!.locale).toBeNull();
  });
});
