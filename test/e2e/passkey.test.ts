// Passkeys in a real browser (Debian's chromium via playwright-core) with Chrome's virtual WebAuthn
// authenticator: the first sign-in through the demo application enrols a passkey, then passwordless
// sign-ins by the button and by the username field's autofill (conditional mediation), the demo
// showing the phishing-resistant level; then My Profile adds, renames and deletes passkeys, and an
// administrator takes the last one in the console. Every passkey page passes axe-core and fits a
// 390 px phone without scrolling sideways.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type CDPSession, type Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser, enrolledAnswers, totpParams } from '../support/enrolled-user.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom } from '../support/smtp-capture.js';
import { launchChromium } from '../support/page-check.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { projectRoot } from '../../src/support/project-root.js';

const shots = join(projectRoot, 'test-artifacts', 'e2e-passkey');
const axeSource = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const password = 'katherine johnson 1918';
const PHONE_WIDTH = 390;

// What the page-side functions use of the DOM (the project compiles without the DOM library).
interface Box {
  getBoundingClientRect(): { right: number };
  querySelectorAll(selector: string): Iterable<Box>;
}
interface PageGlobals {
  axe?: { run(context?: { include: string[] }): Promise<{ violations: AxeViolation[] }> };
  document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelector(selector: string): Box | null };
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

describe('passkeys in a browser', () => {
  let server: TestServer;
  let sms: SmsCapture;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let base: string;
  let n = 0;
  const checked: string[] = [];
  const shot = async (name: string) => page.screenshot({ path: join(shots, `${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    sms = new SmsCapture();
    const gateway = await sms.start();
    // Browsers refuse an IP address as the relying party ID: the issuer is localhost.
    server = await startTestServer({ env: (url) => ({ ISSUER: url.replace('127.0.0.1', 'localhost'), SMS_WEBHOOK_URL: gateway, DEMO: 'true', REQUIRE_SOFT_TOKEN: 'true' }) });
    base = server.config.issuer;
    await seedDemo(server.config, server.app.services);
    const user = await server.app.services.users.create({ username: 'katherine', email: 'katherine@example.com', mobile: '+15550001918', name: 'Katherine Johnson', password });
    await server.app.services.questions.set(user.id, enrolledAnswers);
    browser = await launchChromium();
    page = await browser.newPage();
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sms?.stop();
  });

  /** A platform authenticator (this device: fingerprint or screen lock) or a security key. */
  async function addAuthenticator(transport: 'internal' | 'usb'): Promise<string> {
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport, hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return authenticatorId;
  }

  /**
   * axe-core finds nothing, and on a 390 px phone the page does not scroll sideways. On pages older
   * than passkeys (My Profile's soft token table is wider than a phone; the console's user page has
   * red-on-blue buttons axe flags), `scope` limits the checks to the passkey section.
   */
  async function checkPage(name: string, scope: { overflow?: string; axe?: string } = {}) {
    await shot(name);
    // CDP's evaluate is not subject to the page's CSP (script-src 'self'), which refuses an injected inline script.
    if (!(await page.evaluate(() => !!(globalThis as unknown as PageGlobals).axe))) await page.evaluate(axeSource);
    const violations = await page.evaluate(async (include) => {
      const result = await (globalThis as unknown as PageGlobals).axe!.run(include ? { include: [include] } : undefined);
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((x) => ({ target: x.target })) }));
    }, scope.axe ?? null);
    expect({ page: name, violations }).toEqual({ page: name, violations: [] });
    const size = page.viewportSize()!;
    await page.setViewportSize({ width: PHONE_WIDTH, height: 800 });
    const overflow = await page.evaluate((selector) => {
      const { document } = globalThis as unknown as PageGlobals;
      const width = document.documentElement.clientWidth;
      if (!selector) return document.documentElement.scrollWidth - width;
      const scope = document.querySelector(selector)!;
      return Math.max(0, ...[scope, ...scope.querySelectorAll('*')].map((e) => Math.ceil(e.getBoundingClientRect().right) - width));
    }, scope.overflow ?? null);
    if (overflow > 0) await shot(`${name}-390px`);
    await page.setViewportSize(size);
    expect({ page: name, overflow }).toEqual({ page: name, overflow: 0 });
    checked.push(name);
  }

  async function startSignIn() {
    await page.goto(`${base}/demo`);
    await page.getByRole('link', { name: 'Sign in with the Identity Provider' }).click();
    await page.getByLabel('Username or e-mail address').waitFor();
  }

  async function expectSignedIn(amr: string) {
    await page.waitForURL(`${base}/demo`);
    await page.getByRole('heading', { name: 'Demo application' }).waitFor();
    const text = await page.textContent('main');
    expect(text).toContain(`with ${amr}`);
    return text!;
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${base}/demo`);
  }

  const passkeysOf = async () => server.app.services.passkeys.list((await server.app.services.users.findByLogin('katherine'))!.id);

  it('enrols a passkey at the first sign-in, signs in with it alone by the button and by autofill, and manages passkeys in My Profile', async () => {
    const platform = await addAuthenticator('internal');

    // First sign-in: password, the PIN sent by SMS, then the enrolment page offers a passkey first.
    await startSignIn();
    await checkPage('sign-in');
    await page.getByLabel('Username or e-mail address').fill('katherine');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('One-time PIN').waitFor();
    await page.getByLabel('One-time PIN').fill(pinFrom(sms.last('+15550001918').text));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Set up a passkey or a soft token' }).waitFor();
    await checkPage('enrol');
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    // Where recovery codes follow the first second factor, they are saved and the flow goes on. Wait
    // for the next page itself (the address is already an interaction's before the click lands).
    const save = page.getByRole('button', { name: /I have saved my recovery codes/ });
    await save.or(page.getByRole('heading', { name: 'Demo application' })).first().waitFor();
    if (await save.isVisible()) await save.click();
    await expectSignedIn('pwd + sms + mfa');
    expect((await passkeysOf()).map((p) => p.name)).toEqual(['Passkey']);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: platform });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    await signOut();

    // Passwordless, by the button. Chrome's virtual authenticator answers the autofill request as
    // soon as the page makes it; without user presence that request waits, so the button's is the one
    // that is answered (the button aborts the autofill request and asks anew).
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: platform, enabled: false });
    await startSignIn();
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId: platform, enabled: true });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const byButton = await expectSignedIn('hwk + user + mfa');
    expect(byButton).toContain('urn:idp:acr:phr');
    await shot('signed-in-passkey');
    await signOut();

    // Passwordless, by autofill: the username field offers the passkey (conditional mediation), and
    // the virtual authenticator picks it at once; nobody clicks anything on the sign-in page.
    const used = (await passkeysOf())[0]!.lastUsedAt!;
    const answers: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/step/passkey')) answers.push(r.url());
    });
    await page.goto(`${base}/demo`);
    await page.getByRole('link', { name: 'Sign in with the Identity Provider' }).click();
    const byAutofill = await expectSignedIn('hwk + user + mfa');
    expect(byAutofill).toContain('urn:idp:acr:phr');
    expect(answers).toHaveLength(1);
    expect((await passkeysOf())[0]!.lastUsedAt).toBeGreaterThan(used);

    // My Profile, on the same browser session (the passkey sign-in is two factors, and recent).
    await page.goto(`${base}/account`);
    await page.getByRole('heading', { name: 'My Profile' }).waitFor();
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await checkPage('profile', { overflow: 'section[aria-labelledby=passkeys]' });
    // A security key this time: the platform authenticator already holds this account's passkey.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: platform });
    await addAuthenticator('usb');
    await page.getByRole('link', { name: 'Add a passkey' }).click();
    await page.getByRole('heading', { name: 'Add a passkey' }).waitFor();
    await checkPage('profile-add');
    await page.getByLabel('Name (optional)').fill('Blue key');
    await page.getByRole('button', { name: 'Create a passkey' }).click();
    await page.getByText('Your passkey was added.').waitFor();
    expect(await page.textContent('#passkeys ~ ul, section[aria-labelledby=passkeys]')).toContain('Security key');
    await checkPage('profile-with-passkeys', { overflow: 'section[aria-labelledby=passkeys]' });

    await page.getByLabel('New name for Blue key').fill('Blue security key');
    await page.locator('form', { has: page.getByLabel('New name for Blue key') }).getByRole('button', { name: 'Rename' }).click();
    await page.getByText('The passkey was renamed.').waitFor();

    // Delete the first passkey: a confirmation page first.
    await page.getByRole('link', { name: 'Delete Passkey…' }).click();
    await page.getByRole('heading', { name: 'Delete the passkey “Passkey”?' }).waitFor();
    await checkPage('profile-delete');
    await page.getByRole('button', { name: 'Yes, delete this passkey' }).click();
    await page.getByText('The passkey was deleted.').waitFor();
    expect((await passkeysOf()).map((p) => p.name)).toEqual(['Blue security key']);

    // The last one is the account's only way in: the page says so and offers no delete button.
    await page.getByRole('link', { name: 'Delete Blue security key…' }).click();
    await page.getByText('This is the last way to complete a sign-in on this account.').waitFor();
    expect(await page.getByRole('button', { name: 'Yes, delete this passkey' }).count()).toBe(0);
    await checkPage('profile-delete-refused');
    expect(checked).toEqual(['sign-in', 'enrol', 'profile', 'profile-add', 'profile-with-passkeys', 'profile-delete', 'profile-delete-refused']);
  });

  it('lets an administrator see the passkey in the console and take the last one deliberately, after a confirmation page', async () => {
    const { secret } = await createEnrolledUser(server, 'dorothy', Date.now, 'admin');
    const katherine = (await server.app.services.users.findByLogin('katherine'))!;
    page = await (await browser.newContext()).newPage();
    await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 50)); // a time step the enrolment did not use
    await page.goto(`${base}/admin/users`);
    await page.getByLabel('Username or e-mail address').fill('dorothy');
    await page.getByLabel('Password').fill('dorothy password 1');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Soft token code').fill(totpCode(secret, totpParams, Date.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();

    await page.goto(`${base}/admin/users/${katherine.id}`);
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
    await checkPage('admin-user', { overflow: 'section[aria-labelledby=passkeys]', axe: 'section[aria-labelledby=passkeys]' });
    await page.getByRole('link', { name: 'Delete Blue security key…' }).click();
    await page.getByText('This is the last way to complete a sign-in on this account.').waitFor();
    await checkPage('admin-passkey-delete');
    await page.getByLabel('Delete it even though it is the last one').check();
    await page.getByRole('button', { name: 'Yes, delete this passkey' }).click();
    await page.getByText('The passkey was deleted.').waitFor();
    expect(await passkeysOf()).toEqual([]);
  }, 90_000);
});
