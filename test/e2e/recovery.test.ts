// Recovery in a real browser (Debian's chromium via playwright-core), at a phone's width: "I've
// forgotten my password" from the demo application's sign-in to a new password and back in, then
// "I have misplaced my token" with the questions and an SMS PIN, a new token and the recovery codes.
// Every page passes axe-core and fits 390 px without scrolling sideways.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { projectRoot } from '../../src/support/project-root.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { enrolledAnswers, totpParams } from '../support/enrolled-user.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom } from '../support/smtp-capture.js';
import { launchChromium } from '../support/page-check.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const shots = join(projectRoot, 'test-artifacts', 'e2e-recovery');
const axeSource = readFileSync(join(projectRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const mobile = '+15550001815';
const newPassword = 'countess of lovelace 1815';

interface AxeResult {
  violations: Array<{ id: string; nodes: Array<{ target: unknown }> }>;
}

describe('recovery in a browser', () => {
  let server: TestServer;
  let sms: SmsCapture;
  let browser: Browser;
  let page: Page;
  let offset = 0;
  const now = () => Date.now() + offset;
  let secret: Uint8Array;
  let n = 0;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    sms = new SmsCapture();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: await sms.start(), DEMO: 'true', REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now } } });
    await seedDemo(server.config, server.app.services);
    const s = server.app.services;
    const user = await s.users.create({ username: 'ada', email: 'ada@example.com', mobile, name: 'Ada', password: 'ada password 1' });
    const { token, key } = await s.tokens.createForApp(user);
    secret = fromBase32(key);
    await s.tokens.completeWithCode(user.id, token.id, totpCode(secret, totpParams, now()));
    await s.questions.set(user.id, enrolledAnswers);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sms?.stop();
  });

  /** axe-core finds nothing, and nothing is wider than the phone's screen. */
  async function check(name: string) {
    await page.waitForLoadState('domcontentloaded');
    await page.screenshot({ path: join(shots, `${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true });
    await page.evaluate(axeSource);
    const result = (await page.evaluate('axe.run()')) as AxeResult;
    expect({ page: name, violations: result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((x) => x.target))}`) }).toEqual({ page: name, violations: [] });
    const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })')) as { scroll: number; view: number };
    expect({ page: name, ...widths }).toEqual({ page: name, scroll: widths.view, view: widths.view });
  }

  async function toSignIn() {
    await page.goto(`${server.url}/demo`);
    await page.getByRole('link', { name: 'Sign in with the Identity Provider' }).click();
    await page.getByLabel('Username or e-mail address').waitFor();
  }

  const lastPin = () => pinFrom(sms.last(mobile).text);

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${server.url}/demo`);
  }

  it("resets a forgotten password, then signs in to the application with it", async () => {
    await toSignIn();
    await check('sign-in');
    await page.getByRole('button', { name: "I've forgotten my password" }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await check('forgot-name');
    await page.getByLabel('Username or e-mail address').fill('ada');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: "Confirm it's you" }).waitFor();
    await check('forgot-proofs');
    const seen = sms.messages.length;
    await page.getByRole('button', { name: 'Send me a one-time PIN' }).click();
    await page.getByLabel('One-time PIN').waitFor();
    await check('forgot-pin');
    await page.getByLabel('One-time PIN').fill(pinFrom((await sms.next(mobile, seen)).text));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Answer your security questions' }).waitFor();
    await check('forgot-questions');
    for (const { question, answer } of enrolledAnswers) {
      const field = page.getByLabel(question);
      if (await field.count()) await field.fill(answer);
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await check('forgot-new-password');
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('New password again').fill(newPassword);
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
    await check('forgot-done');
    await page.getByRole('button', { name: 'Continue to sign in' }).click();

    // Back on the application's sign-in, the name filled in: the new password and the soft token.
    expect(await page.getByLabel('Username or e-mail address').inputValue()).toBe('ada');
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Continue' }).click();
    offset += 30_000;
    await page.getByLabel('Soft token code').fill(totpCode(secret, totpParams, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${server.url}/demo`);
    expect(await page.textContent('body')).toContain('pwd + otp + mfa');
    await signOut();
  });

  it('recovers a misplaced token with the questions and an SMS PIN, and shows the recovery codes once', async () => {
    await toSignIn();
    await page.getByLabel('Username or e-mail address').fill('ada');
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Soft token code').waitFor();
    await check('totp');
    await page.getByRole('button', { name: 'I have misplaced my token' }).click();
    await page.getByRole('heading', { name: 'Answer your security questions' }).waitFor();
    await check('recover-questions');
    for (const { question, answer } of enrolledAnswers) {
      const field = page.getByLabel(question);
      if (await field.count()) await field.fill(answer);
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Self-administration actions' }).waitFor();
    await check('recover-actions');
    await page.getByRole('button', { name: /recreate my soft token since I deleted/ }).click();
    await check('recover-confirm');
    const seen = sms.messages.length;
    await page.getByRole('button', { name: 'Yes, recreate my soft token' }).click();
    await page.getByLabel('One-time PIN').waitFor();
    await check('recover-pin');
    await page.getByLabel('One-time PIN').fill(pinFrom((await sms.next(mobile, seen)).text));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: /Authenticator app/ }).click();
    const fresh = fromBase32((await page.textContent('#secret-key'))!);
    await page.getByLabel('Code from the app').fill(totpCode(fresh, totpParams, now()));
    await page.getByRole('button', { name: 'Complete setup' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await check('recovery-codes');
    expect(await page.locator('#recovery-codes li').count()).toBe(10);
    expect(await page.getByRole('button', { name: 'Copy the codes' }).isVisible()).toBe(true);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download as a text file' }).click();
    expect((await download).suggestedFilename()).toBe('recovery-codes.txt');
    await page.getByRole('button', { name: /I have saved my recovery codes/ }).click();
    await page.waitForURL(`${server.url}/demo`);
    expect(await page.textContent('body')).toContain('pwd + kba + sms + mfa');
    expect(lastPin()).toMatch(/^\d{6}$/);
  });
});
