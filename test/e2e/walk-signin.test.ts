// A walk in chromium through every sign-in page — password, PIN, enrolment, security questions, soft
// token, recovery, forgotten password, consent, sign-out — each checked at 1280 px and on a 390 px
// phone (axe-core finds nothing, nothing scrolls sideways); then the same sign-in in French, found
// by its French labels, for a browser that asks for French.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/demo-seed.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser, enrolledAnswers, totpParams } from '../support/enrolled-user.js';
import { registerRelyingParty, startAuthorization } from '../support/relying-party.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom } from '../support/smtp-capture.js';
import { launchChromium, PageChecker } from '../support/page-check.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const pages = new PageChecker('e2e-walk-signin');

// What the page-side functions use of the DOM (the project compiles without the DOM library).
interface PageGlobals {
  document: { documentElement: { lang: string } };
}

describe('every sign-in page in a browser, in English and in French', () => {
  let server: TestServer;
  let sms: SmsCapture;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    sms = new SmsCapture();
    server = await startTestServer({
      env: { SMS_WEBHOOK_URL: await sms.start(), DEMO: 'true', REQUIRE_SOFT_TOKEN: 'true', PIN_RESEND_COOLDOWN: '0' },
      overrides: { clock: { now } },
    });
    await seedDemo(server.config, server.app.services);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sms?.stop();
  });

  async function fresh(locale = 'en-GB'): Promise<void> {
    await context?.close();
    context = await browser.newContext({ locale });
    page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** The page titled `heading`, at each width: no axe-core violation and no sideways scrolling. */
  async function check(heading: string | RegExp, name: string): Promise<void> {
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await pages.check(page, name);
  }

  const lang = () => page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.lang);
  const lastPin = async (mobile: string, seen: number) => pinFrom((await sms.next(mobile, seen)).text);

  async function toSignIn(): Promise<void> {
    await page.goto(`${server.url}/demo`);
    await page.getByRole('link', { name: /^Sign in with the/ }).click();
  }

  async function passwordStep(username: string, password = `${username} password 1`): Promise<void> {
    await page.getByLabel('Username or e-mail address').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await check(/^Sign out/, 'logout');
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${server.url}/demo`);
  }

  it('a first sign-in: password, PIN, enrolment, security questions, recovery codes, then sign-out', async () => {
    const mobile = '+15550002001';
    await server.app.services.users.create({ username: 'noor', email: 'noor@example.com', mobile, password: 'noor password 1' });
    await fresh();
    await toSignIn();
    await check('Sign in', 'password');
    expect(await lang()).toBe('en');
    const seen = sms.messages.length;
    await passwordStep('noor');
    await check('Enter your one-time PIN', 'pin');
    // The PIN page says where the PIN went once, and when it expires as a duration.
    const body = (await page.textContent('main'))!;
    expect(body.split('We sent a PIN').length - 1).toBe(1);
    expect(body).toContain('It expires in 5 minutes.');
    await page.getByLabel('One-time PIN').fill(await lastPin(mobile, seen));
    await page.getByRole('button', { name: 'Verify' }).click();

    await check(/^Set up/, 'enrol-choose');
    await page.getByRole('button', { name: /Authenticator app/ }).click();
    await check('Set up your authenticator app', 'enrol-app');
    const secret = fromBase32((await page.textContent('#secret-key'))!);
    await page.getByLabel('Code from the app').fill(totpCode(secret, totpParams, now()));
    await page.getByRole('button', { name: 'Complete setup' }).click();

    await check('Choose your security questions', 'enrol-questions');
    // A refused form keeps what was typed: the same answer twice is refused, the answers stay.
    for (const i of [1, 2, 3]) {
      await page.getByLabel(`Choose question ${i}`, { exact: true }).selectOption({ index: i });
      await page.getByLabel(`Answer ${i}`, { exact: true }).fill(i === 3 ? 'same' : `answer ${i}`);
    }
    await page.getByLabel('Answer 2', { exact: true }).fill('same');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByText('Give a different answer to each question.').waitFor();
    expect(await page.getByLabel('Answer 1', { exact: true }).inputValue()).toBe('answer 1');
    expect(await page.getByLabel('Answer 3', { exact: true }).inputValue()).toBe('same');
    expect(await page.getByLabel('Choose question 2', { exact: true }).evaluate((e) => (e as unknown as { selectedIndex: number }).selectedIndex)).toBe(2);
    await check('Choose your security questions', 'enrol-questions-refused');
    await page.getByLabel('Answer 2', { exact: true }).fill('answer 2');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await check('Save your recovery codes', 'recovery-codes');
    await page.getByRole('button', { name: /I have saved my recovery codes/ }).click();
    await page.waitForURL(`${server.url}/demo`);
    await signOut();
  });

  it('an enrolled user: soft token, "I have misplaced my token" up to the confirmation, and a consent page', async () => {
    const { secret } = await createEnrolledUser(server, 'tariq', now);
    await fresh();
    await toSignIn();
    await passwordStep('tariq');
    await check('Enter your soft token code', 'totp');
    await page.getByRole('button', { name: 'I have misplaced my token' }).click();
    await check('Answer your security questions', 'recover-questions');
    for (const { question, answer } of enrolledAnswers) {
      const field = page.getByLabel(question);
      if (await field.count()) await field.fill(answer);
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await check('Self-administration actions', 'recover-actions');
    await page.getByRole('button', { name: /recreate my soft token since I deleted/ }).click();
    await check('Are you sure?', 'recover-confirm');
    await page.getByRole('button', { name: 'I found my token — enter its code instead' }).click();
    offset += 30_000;
    await page.getByLabel('Soft token code').fill(totpCode(secret, totpParams, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${server.url}/demo`);

    // An application that is not first-party asks before it gets the account's details.
    const rp = await registerRelyingParty(server, { clientId: 'photo-album', firstParty: false });
    await page.goto((await startAuthorization(rp)).url.href);
    await check('Allow photo-album to access your account?', 'consent');
    expect(await page.getByRole('listitem').allTextContents()).toEqual(expect.arrayContaining(['Your e-mail address', 'Your phone number']));
  });

  it("\"I've forgotten my password\": every page from the name to the new password", async () => {
    const mobile = '+15550002003';
    const s = server.app.services;
    const user = await s.users.create({ username: 'ines', email: 'ines@example.com', mobile, password: 'ines password 1' });
    await s.questions.set(user.id, enrolledAnswers);
    await fresh();
    await toSignIn();
    await page.getByRole('button', { name: "I've forgotten my password" }).click();
    await check('Reset your password', 'forgot-identify');
    await page.getByLabel('Username or e-mail address').fill('ines');
    await page.getByRole('button', { name: 'Continue' }).click();
    await check("Confirm it's you", 'forgot-prove');
    const seen = sms.messages.length;
    await page.getByRole('button', { name: 'Send me a one-time PIN' }).click();
    await check('Enter your one-time PIN', 'forgot-pin');
    await page.getByLabel('One-time PIN').fill(await lastPin(mobile, seen));
    await page.getByRole('button', { name: 'Verify' }).click();
    await check('Answer your security questions', 'forgot-questions');
    for (const { question, answer } of enrolledAnswers) {
      const field = page.getByLabel(question);
      if (await field.count()) await field.fill(answer);
    }
    await page.getByRole('button', { name: 'Continue' }).click();
    await check('Choose a new password', 'forgot-new-password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase 2');
    await page.getByLabel('New password again').fill('a brand new passphrase 2');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await check('Your password was changed', 'forgot-done');
  });

  it('signs in in French, by the French labels, for a browser that asks for French', async () => {
    const mobile = '+15550002004';
    // An account with a soft token and a mobile number: the PIN instead of the token's code.
    const s = server.app.services;
    const user = await s.users.create({ username: 'camille', email: 'camille@example.com', mobile, password: 'camille password 1' });
    const { token, key } = await s.tokens.createForApp(user);
    await s.tokens.completeWithCode(user.id, token.id, totpCode(fromBase32(key), totpParams, now()));
    await s.questions.set(user.id, enrolledAnswers);
    await fresh('fr-FR');
    await toSignIn();
    await check('Connexion', 'fr-password');
    expect(await lang()).toBe('fr');
    await page.getByLabel("Nom d'utilisateur ou adresse e-mail").fill('camille');
    await page.getByLabel('Mot de passe', { exact: true }).fill('camille password 1');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await check('Saisissez le code de votre jeton logiciel', 'fr-totp');
    const seen = sms.messages.length;
    await page.getByRole('button', { name: "M'envoyer plutôt un code PIN à usage unique" }).click();
    await check('Saisissez votre code PIN à usage unique', 'fr-pin');
    expect(await page.textContent('main')).toContain('Il expire dans 5 minutes.');
    await page.getByLabel('Code PIN à usage unique').fill('000000');
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.getByText('Le code PIN est incorrect ou a expiré.').waitFor();
    await page.getByLabel('Code PIN à usage unique').fill(await lastPin(mobile, seen));
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.waitForURL(`${server.url}/demo`);
    expect(await page.textContent('body')).toContain('pwd + sms + mfa');
  });
});
