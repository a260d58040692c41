// A person's whole journey in a real browser (Debian's chromium via playwright-core): first sign-in
// with a PIN from the SMS gateway, authenticator app enrolment from the QR page, security questions,
// sign out, sign in with the token, lose it, recover through the questions, sign in with the new one,
// then manage the soft tokens in My Profile.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { projectRoot } from '../../src/support/project-root.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom } from '../support/smtp-capture.js';
import { launchChromium } from '../support/page-check.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const shots = join(projectRoot, 'test-artifacts', 'e2e');
const params = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };
const password = 'grace hopper 1906';

describe('the whole journey in a browser', () => {
  let server: TestServer;
  let sms: SmsCapture;
  let browser: Browser;
  let page: Page;
  let offset = 0;
  const now = () => Date.now() + offset;
  let n = 0;
  const shot = async (name: string) => page.screenshot({ path: join(shots, `${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    sms = new SmsCapture();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: await sms.start(), DEMO: 'true', REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now } } });
    await seedDemo(server.config, server.app.services);
    await server.app.services.users.create({ username: 'grace', email: 'grace@example.com', mobile: '+15550001906', name: 'Grace', password });
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sms?.stop();
  });

  async function signInWithPassword() {
    await page.goto(`${server.url}/demo`);
    await page.getByRole('link', { name: 'Sign in with the Identity Provider' }).click();
    await page.getByLabel('Username or e-mail address').fill('grace');
    await page.getByLabel('Password').fill(password);
    await shot('password');
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  async function expectSignedIn(amr: string) {
    await expect(page.getByRole('heading', { name: 'Demo application' })).toBeDefined();
    await page.waitForURL(`${server.url}/demo`);
    expect(await page.textContent('body')).toContain(amr);
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${server.url}/demo`);
  }

  it('walks from first sign-in to recovery', async () => {
    // First sign-in: password, then the PIN the SMS gateway received.
    await signInWithPassword();
    await page.getByLabel('One-time PIN').waitFor();
    expect(await page.textContent('body')).toContain('by SMS to');
    await shot('pin');
    await page.getByLabel('One-time PIN').fill(pinFrom(sms.last('+15550001906').text));
    await page.getByRole('button', { name: 'Verify' }).click();

    // Enrolment: the authenticator app, codes computed from the key shown on the page.
    await page.getByRole('button', { name: /Authenticator app/ }).click();
    await page.getByAltText('QR code for your authenticator app').waitFor();
    await shot('enrol-qr');
    const secret = fromBase32((await page.textContent('#secret-key'))!);
    await page.getByLabel('Code from the app').fill(totpCode(secret, params, now()));
    await page.getByRole('button', { name: 'Complete setup' }).click();

    // Security questions.
    await page.getByRole('heading', { name: 'Choose your security questions' }).waitFor();
    await page.getByLabel('Choose question 1').selectOption('What was the name of your first pet?');
    await page.getByLabel('Answer 1').fill('Rex');
    await page.getByLabel('Choose question 2').selectOption('In what city were you born?');
    await page.getByLabel('Answer 2').fill('Arlington');
    await page.getByLabel('Or write your own question 3').fill('What was my first computer?');
    await page.getByLabel('Answer 3').fill('Mark I');
    await shot('questions');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    // The first second factor comes with recovery codes, shown once.
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByRole('button', { name: /I have saved my recovery codes/ }).click();
    await expectSignedIn('pwd + sms + mfa');
    await shot('signed-in-first');
    await signOut();

    // Second sign-in: the soft token.
    offset += 30_000;
    await signInWithPassword();
    await page.getByLabel('Soft token code').fill(totpCode(secret, params, now()));
    await shot('totp');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSignedIn('pwd + otp + mfa');
    await signOut();

    // The token is lost: recover through the questions and set up a new one.
    offset += 30_000;
    await signInWithPassword();
    await page.getByRole('button', { name: 'I have misplaced my token' }).click();
    const answers: Record<string, string> = {
      'What was the name of your first pet?': 'rex',
      'In what city were you born?': ' ARLINGTON ',
      'What was my first computer?': 'mark i',
    };
    for (const [question, answer] of Object.entries(answers)) {
      const field = page.getByLabel(question);
      if (await field.count()) await field.fill(answer);
    }
    await shot('recover-questions');
    await page.getByRole('button', { name: 'Continue' }).click();
    await shot('recover-actions');
    await page.getByRole('button', { name: /recreate my soft token since I deleted/ }).click();
    await page.getByRole('button', { name: 'Yes, recreate my soft token' }).click();
    // Questions are knowledge, like the password: a PIN to the number on file proves possession.
    await page.getByLabel('One-time PIN').waitFor();
    await page.getByLabel('One-time PIN').fill(pinFrom(sms.last('+15550001906').text));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: /Authenticator app/ }).click();
    const newSecret = fromBase32((await page.textContent('#secret-key'))!);
    await page.getByLabel('Code from the app').fill(totpCode(newSecret, params, now()));
    await shot('recover-new-token');
    await page.getByRole('button', { name: 'Complete setup' }).click();
    await expectSignedIn('pwd + kba + sms + mfa');
    await signOut();

    // The new token signs in; the old one no longer does.
    offset += 30_000;
    await signInWithPassword();
    await page.getByLabel('Soft token code').fill(totpCode(secret, params, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    expect(await page.textContent('[role=alert]')).toContain('The code is incorrect or has expired.');
    await page.getByLabel('Soft token code').fill(totpCode(newSecret, params, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSignedIn('pwd + otp + mfa');
    await shot('signed-in-new-token');

    // My Profile, on the same browser session: add a desktop authenticator app, rename it, and
    // delete the recreated token now that another one is active.
    const grace = (await server.app.services.users.findByLogin('grace'))!;
    const recreated = (await server.app.services.tokens.list(grace.id)).find((t) => t.state === 'active');
    await page.goto(`${server.url}/account`);
    await page.getByRole('heading', { name: 'My Profile' }).waitFor();
    await shot('profile');
    await page.getByRole('link', { name: 'Add a soft token' }).click();
    await page.getByLabel('Desktop').check();
    await page.getByLabel(/Authenticator app/).check();
    await page.getByLabel('Name (optional)').fill('Laptop');
    await shot('profile-add');
    await page.getByRole('button', { name: 'Add soft token' }).click();
    const laptop = fromBase32((await page.textContent('#secret-key'))!);
    await page.getByLabel('Code from the app').fill(totpCode(laptop, params, now()));
    await page.getByRole('button', { name: 'Complete setup' }).click();
    await page.getByText('Your soft token is active.').waitFor();
    await page.getByLabel('New name for Laptop').fill('Work laptop');
    await page.locator('form', { has: page.getByLabel('New name for Laptop') }).getByRole('button', { name: 'Rename' }).click();
    await page.getByText('The soft token was renamed.').waitFor();
    await page.getByRole('button', { name: `Delete ${recreated!.name}`, exact: true }).click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('The soft token was deleted.').waitFor();
    await shot('profile-after-changes');
    const left = await server.app.services.tokens.list(grace.id);
    expect(left.filter((t) => t.state === 'active').map((t) => t.name)).toEqual(['Work laptop']);
    expect(left.map((t) => t.id)).not.toContain(recreated!.id);
  });
});
