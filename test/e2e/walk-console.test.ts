// A walk in chromium through My Profile, every console page (two of them in French), a confirmation and the error pages, at
// 1280 px and on a 390 px phone: axe-core finds nothing, nothing scrolls sideways, every error page
// offers a way on, and the forms are used by their labels (a duration typed in minutes, the audit
// log filtered by username).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { launchChromium, PageChecker } from '../support/page-check.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const pages = new PageChecker('e2e-walk-console');

describe('the console, My Profile and the error pages in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    server = await startTestServer({ env: { REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now } } });
    base = server.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const checkPage = (name: string) => pages.check(page, name);

  async function visit(path: string, heading: string, name: string): Promise<void> {
    await page.goto(`${base}${path}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await checkPage(name);
  }

  /** Password and authenticator-app code, by the fields' labels; a fresh time step for each code. */
  async function signIn(username: string, secret: Uint8Array): Promise<void> {
    offset += 30_000;
    await page.getByLabel('Username or e-mail address').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(`${username} password 1`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Soft token code').fill(totpCode(secret, totpParams, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
  }

  it('walks every console page and My Profile at 1280 px and 390 px', async () => {
    const { secret } = await createEnrolledUser(server, 'ada', now, 'superadmin');
    const { user: grace } = await createEnrolledUser(server, 'grace', now);
    await server.app.services.groups.create('operators', 'People on call');
    await server.app.services.clients.add({ clientId: 'wiki', name: 'The wiki', redirectUris: ['https://wiki.example.com/callback/with/a/rather/long/path'], postLogoutRedirectUris: [], public: false, firstParty: true });
    page = await (await browser.newContext()).newPage();

    await page.goto(`${base}/admin/users`);
    await signIn('ada', secret);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await checkPage('users');
    await visit(`/admin/users/${grace.id}`, 'grace', 'user');
    await visit('/admin/users/new', 'Create user', 'user-new');
    await visit('/admin/groups', 'Groups', 'groups');
    await visit('/admin/clients', 'Applications', 'clients');
    await visit('/admin/resource-servers', 'APIs (resource servers)', 'resources');

    // Settings: a duration in minutes is stored in seconds; choices are lists, yes/no is Yes/No.
    await visit('/admin/settings', 'Settings', 'settings');
    await page.getByLabel('One-time PIN lifetime', { exact: true }).fill('4');
    await page.getByLabel('Unit of One-time PIN lifetime').selectOption('minutes');
    expect(await page.getByLabel('One-time PIN delivery', { exact: true }).evaluate((e) => (e as unknown as { tagName: string }).tagName)).toBe('SELECT');
    expect(await page.getByLabel('E-mail PIN allowed', { exact: true }).locator('option').allTextContents()).toEqual(['Yes', 'No']);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('The settings were saved.').waitFor();
    expect(server.config.pin.ttl).toBe(240);
    await server.app.services.settings.reset('pin.ttl');

    // The audit log names people, and is filtered by username.
    await visit('/admin/audit', 'Audit log', 'audit');
    await page.getByLabel('Username or e-mail').fill('ada');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/user=ada/);
    const who = await page.locator('td[data-label="On whom"]').allTextContents();
    expect(who.length).toBeGreaterThan(0);
    expect(new Set(who.map((w) => w.trim()))).toEqual(new Set(['ada']));
    expect(await page.locator('time[datetime]').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await checkPage('audit-filtered');

    // A destructive action asks first.
    await page.goto(`${base}/admin/users/${grace.id}`);
    await page.getByRole('button', { name: 'Delete user' }).click();
    await page.getByRole('heading', { level: 1, name: 'Delete the user grace?' }).waitFor();
    await checkPage('confirm-delete-user');
    await page.getByRole('link', { name: 'No, go back' }).click();
    await page.getByRole('heading', { level: 1, name: 'grace' }).waitFor();
    expect(await server.app.services.users.findById(grace.id)).not.toBeNull();

    // The console in French for a French browser: the page checks again, and times read in the reader's zone.
    await page.setExtraHTTPHeaders({ 'Accept-Language': 'fr-FR, fr;q=0.9' });
    await visit('/admin/users', 'Utilisateurs', 'users-fr');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    await visit('/admin/audit', "Journal d'audit", 'audit-fr');
    expect(await page.locator('#time-zone-note').textContent()).toMatch(/^Heures dans votre fuseau horaire \(.+\)$/);
    const shown = await page.locator('time.local-time').first();
    expect(await shown.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await shown.textContent()).not.toContain('UTC');
    await page.setExtraHTTPHeaders({});

    // My Profile: the provider's session carries over, or it asks again.
    await page.goto(`${base}/account`);
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    if (await page.getByLabel('Password', { exact: true }).isVisible()) await signIn('ada', secret);
    await page.getByRole('heading', { level: 1, name: 'My Profile' }).waitFor();
    await checkPage('profile');
    await visit('/account/recovery-codes', 'Recovery codes', 'recovery-codes');
  }, 180_000);

  it('walks the error pages: each says what happened and offers a way on', async () => {
    page = await (await browser.newContext()).newPage();
    await page.goto(`${base}/no-such-page`);
    await page.getByRole('heading', { level: 1, name: 'We could not find that page' }).waitFor();
    await checkPage('not-found');
    expect(await page.getByRole('link', { name: 'Go to My Profile' }).getAttribute('href')).toBe('/account');

    await page.goto(`${base}/interaction/long-gone`);
    await page.getByRole('heading', { level: 1, name: 'Your sign-in has expired' }).waitFor();
    await checkPage('expired-sign-in');
    expect(await page.getByRole('link', { name: 'Go to My Profile' }).count()).toBe(1);

    // oidc-provider's own refusal (an unknown application), in the browser's language, with a way on.
    const french = await (await browser.newContext({ extraHTTPHeaders: { 'Accept-Language': 'fr' } })).newPage();
    await french.goto(`${base}/auth?client_id=nope&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://nope.example/cb')}`);
    await french.getByRole('heading', { level: 1, name: 'Cette demande ne peut pas aboutir' }).waitFor();
    expect(await french.locator('html').getAttribute('lang')).toBe('fr');
    expect(await french.getByRole('link', { name: 'Aller à Mon profil' }).getAttribute('href')).toBe('/account');
    await pages.check(french, 'oidc-refusal-fr');
    await french.context().close();

    // Signed out of the console: the page says so, and the way back in starts at the console.
    await page.goto(`${base}/admin/signed-out`);
    await page.getByRole('heading', { level: 1, name: 'You are signed out' }).waitFor();
    expect(await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/admin');
    await checkPage('console-signed-out');

    // A sign-in whose account an administrator locks half-way: the page says until when, and offers to start again.
    const { user } = await createEnrolledUser(server, 'linus', now);
    await page.goto(`${base}/account`);
    await page.getByLabel('Username or e-mail address').fill('linus');
    await page.getByLabel('Password', { exact: true }).fill('linus password 1');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Soft token code').waitFor();
    await server.app.services.userAdmin.lock(user.id, { actor: 'test' });
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'This account is locked' }).waitFor();
    await page.getByText('until an administrator unlocks it').waitFor();
    await checkPage('locked');
    await page.getByRole('link', { name: 'Start the sign-in again' }).click();
    await page.getByLabel('Username or e-mail address').waitFor();
  }, 120_000);
});
