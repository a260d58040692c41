// An administrator's password reset link, end to end: the link arrives by real SMTP, the PIN by the
// SMS webhook, the new password signs in. Every refusal (dead links, skipped PIN, wrong PINs, weak
// or reused passwords, CSRF). The administrator's side is in password-reset-admin.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IsNull } from 'typeorm';
import { messageFor } from '../../src/errors/messages.js';
import { PasswordResetEntity } from '../../src/persistence/entities/password-reset.entity.js';
import { maskDestination } from '../../src/pins/mask.js';
import { randomToken } from '../../src/security/random.js';
import { mailText } from '../support/mail-text.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { MAX_PINS, ResetHarness } from '../support/reset-harness.js';
import type { TestServer } from '../support/test-server.js';
import { findForm, type Page, UserAgent } from '../support/user-agent.js';

const DEAD = messageFor('reset.invalid');
const ip = { ip: '198.51.100.7' };

let h: ResetHarness;
let server: TestServer;
let smtp: SmtpCapture;
let sms: SmsCapture;
beforeAll(async () => {
  h = await ResetHarness.start();
  ({ server, smtp, sms } = h);
});
afterAll(async () => {
  await h?.close();
});
const s = () => server.app.services;
const person = (mobile = true) => h.person(mobile);
const sendLink = (p: { user: { id: string; email: string } }) => h.sendLink(p);

/** Opens the link and asks for the PIN; returns the PIN page and the PIN the SMS carried. */
async function askPin(agent: UserAgent, link: string, mobile: string): Promise<{ pinPage: Page; pin: string }> {
  const start = await agent.get(link);
  expect(start.status).toBe(200);
  const pinPage = await agent.submit(start, '/reset-password/send');
  expect(pinPage.status).toBe(200);
  return { pinPage, pin: pinFrom(sms.last(mobile).text) };
}

async function passwordForm(agent: UserAgent, link: string, mobile: string): Promise<Page> {
  const { pinPage, pin } = await askPin(agent, link, mobile);
  const form = await agent.submit(pinPage, '/reset-password/verify', { pin });
  expect(form.html).toContain('Choose a new password');
  return form;
}

const signsIn = (login: string, password: string) =>
  s().passwordLogin.authenticate(login, password, ip).then(
    () => true,
    () => false,
  );

const wrongPin = (pin: string) => pin.replace(/^./, (d) => String((Number(d) + 1) % 10));

describe('password reset link', () => {
  it('takes the user from the e-mailed link through an SMS PIN to a new password that signs in', async () => {
    const p = await person();
    const link = await sendLink(p);
    const mail = mailText(smtp.messages.at(-1)!.raw);
    expect(mail).toContain('Subject: Reset your password');

    // Opening the link (as a mail scanner would) sends nothing and names no one.
    const smsBefore = sms.messages.length;
    const raw = await fetch(link);
    expect(raw.headers.get('referrer-policy')).toBe('no-referrer');
    const agent = new UserAgent();
    const start = await agent.get(link);
    expect(sms.messages.length).toBe(smsBefore);
    expect(start.html).toContain(`by SMS to <strong>${maskDestination('sms', p.mobile!)}</strong>`);
    for (const secret of [p.mobile!, p.user.email, p.username]) expect(start.html).not.toContain(secret);

    const pinPage = await agent.submit(start, '/reset-password/send');
    expect(sms.messages.length).toBe(smsBefore + 1);
    const pin = pinFrom(sms.last(p.mobile!).text);
    // Forms after the first page carry the token; no form action puts it back in a URL.
    expect(findForm(pinPage.html, '/reset-password/verify').action).toBe('/reset-password/verify');

    const wrong = await agent.submit(pinPage, '/reset-password/verify', { pin: wrongPin(pin) });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain(messageFor('pin.invalid'));
    expect((await s().users.findById(p.user.id))!.failedLogins).toBe(1);

    const form = await agent.submit(wrong, '/reset-password/verify', { pin });
    expect(form.html).toMatch(/<label for="password">New password<\/label>\s*<input id="password"/);
    expect(form.html).toMatch(/<label for="confirm">[^<]+<\/label>\s*<input id="confirm"/);
    const done = await agent.submit(form, '/reset-password/complete', { password: 'a brand new password', confirm: 'a brand new password' });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Your password was changed');

    // The wrong PIN's count is cleared with the reset.
    expect((await s().users.findById(p.user.id))!.failedLogins).toBe(0);
    expect(await signsIn(p.username, 'a brand new password')).toBe(true);
    expect(await signsIn(p.username, p.password)).toBe(false);

    const mails = smtp.messages.filter((m) => m.to.includes(p.user.email)).map((m) => mailText(m.raw));
    expect(mails.some((m) => m.includes('Your password was changed'))).toBe(true);
    const events = await s().audit.list({ subject: p.user.id });
    const types = events.map((e) => e.type);
    for (const t of ['password.reset_link_sent', 'pin.sent', 'password.reset_pin', 'user.password_set', 'password.reset_completed']) expect(types).toContain(t);
    const token = new URL(link).searchParams.get('token')!;
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('sends the PIN by e-mail when the account has no mobile number', async () => {
    const p = await person(false);
    const agent = new UserAgent();
    const start = await agent.get(await sendLink(p));
    expect(start.html).toContain(`by e-mail to <strong>${maskDestination('email', p.user.email)}</strong>`);
    const seen = smtp.messages.length;
    const pinPage = await agent.submit(start, '/reset-password/send');
    const pin = pinFrom(mailText((await smtp.next(p.user.email, seen)).raw));
    const form = await agent.submit(pinPage, '/reset-password/verify', { pin });
    const done = await agent.submit(form, '/reset-password/complete', { password: 'mailed pin password', confirm: 'mailed pin password' });
    expect(done.html).toContain('Your password was changed');
    expect(await signsIn(p.username, 'mailed pin password')).toBe(true);
  });

  it('voids the older link when a new one is sent', async () => {
    const p = await person();
    const first = await sendLink(p);
    const second = await sendLink(p);
    const agent = new UserAgent();
    expect((await agent.get(first)).html).toContain(DEAD);
    expect((await agent.get(second)).status).toBe(200);
  });

  it('of two links sent at once keeps the newer one working', async () => {
    const p = await person();
    const user = (await s().users.findById(p.user.id))!;
    await Promise.all([s().passwordResets.issue(user), s().passwordResets.issue(user)]);
    const live = await server.app.ds.getRepository(PasswordResetEntity).countBy({ userId: user.id, usedAt: IsNull(), voidedAt: IsNull() });
    expect(live).toBe(1);
  });

  it('does not work while the account is locked after the link was sent, and works again once unlocked', async () => {
    const p = await person();
    const link = await sendLink(p);
    h.tick(1); // the lock comes after the link
    await s().userAdmin.lock(p.user.id, { actor: 'test-admin' });
    const agent = new UserAgent();
    const locked = await agent.get(link);
    expect([locked.status, locked.html.includes(DEAD)]).toEqual([400, true]);
    await s().userAdmin.unlock(p.user.id, { actor: 'test-admin' });
    const form = await passwordForm(agent, link, p.mobile!);
    const done = await agent.submit(form, '/reset-password/complete', { password: 'after unlock 12345', confirm: 'after unlock 12345' });
    expect(done.status).toBe(200);
    expect(await signsIn(p.username, 'after unlock 12345')).toBe(true);
  });

  type Outcome = { page: Page; status: number; message: string; password?: { username: string; current: string } };
  const refusals: Array<{ name: string; run: () => Promise<Outcome> }> = [
    {
      name: 'an unknown token',
      run: async () => ({ page: await new UserAgent().get(`${server.url}/reset-password?token=${randomToken(16)}`), status: 400, message: DEAD }),
    },
    {
      name: 'a link opened without its token',
      run: async () => ({ page: await new UserAgent().get(`${server.url}/reset-password`), status: 400, message: DEAD }),
    },
    {
      name: 'an expired link',
      run: async () => {
        const p = await person();
        const link = await sendLink(p);
        h.tick((server.config.passwordReset.ttl + 1) * 1000);
        return { page: await new UserAgent().get(link), status: 400, message: DEAD, password: { username: p.username, current: p.password } };
      },
    },
    {
      name: 'a link used twice',
      run: async () => {
        const p = await person();
        const link = await sendLink(p);
        const agent = new UserAgent();
        const form = await passwordForm(agent, link, p.mobile!);
        await agent.submit(form, '/reset-password/complete', { password: 'the first new one', confirm: 'the first new one' });
        // The same form again, and the link again: both dead.
        const again = await agent.submit(form, '/reset-password/complete', { password: 'a second new one', confirm: 'a second new one' });
        expect(again.html).toContain(DEAD);
        return { page: await agent.get(link), status: 400, message: DEAD, password: { username: p.username, current: 'the first new one' } };
      },
    },
    {
      name: 'a link of an account disabled since',
      run: async () => {
        const p = await person();
        const link = await sendLink(p);
        await s().userAdmin.setStatus(p.user.id, 'disabled');
        return { page: await new UserAgent().get(link), status: 400, message: DEAD };
      },
    },
    {
      name: 'a new password without the PIN step',
      run: async () => {
        const p = await person();
        const agent = new UserAgent();
        const { pinPage } = await askPin(agent, await sendLink(p), p.mobile!);
        const { hidden } = findForm(pinPage.html, '/reset-password/verify');
        const page = await agent.post(`${server.url}/reset-password/complete`, { ...hidden, password: 'skipped the pin', confirm: 'skipped the pin' });
        return { page, status: 403, message: messageFor('reset.pin_required'), password: { username: p.username, current: p.password } };
      },
    },
    {
      name: `${MAX_PINS} wrong PINs`,
      run: async () => {
        const p = await person();
        const link = await sendLink(p);
        const agent = new UserAgent();
        const { pinPage, pin } = await askPin(agent, link, p.mobile!);
        let page = pinPage;
        for (let i = 1; i < MAX_PINS; i++) {
          page = await agent.submit(page, '/reset-password/verify', { pin: wrongPin(pin) });
          expect(page.html).toContain(messageFor('pin.invalid'));
        }
        const last = await agent.submit(page, '/reset-password/verify', { pin: wrongPin(pin) });
        expect(last.html).toContain(messageFor('reset.too_many_attempts'));
        // Every wrong PIN counted towards the account lockout.
        expect((await s().users.findById(p.user.id))!.failedLogins).toBe(MAX_PINS);
        // Dead now, even with the right PIN.
        const right = await agent.submit(page, '/reset-password/verify', { pin });
        expect(right.html).toContain(DEAD);
        expect((await s().audit.list({ subject: p.user.id, type: 'password.reset_voided' })).length).toBe(1);
        return { page: await agent.get(link), status: 400, message: DEAD, password: { username: p.username, current: p.password } };
      },
    },
    ...[
      ['a recently used password', (p: { password: string }) => p.password, 'The password was used before'],
      ['a password that is too short', () => 'short', messageFor('password.too_short', { min: 8 })],
    ].map(([name, choose, message]) => ({
      name: name as string,
      run: async () => {
        const p = await person();
        const agent = new UserAgent();
        const form = await passwordForm(agent, await sendLink(p), p.mobile!);
        const chosen = (choose as (q: typeof p) => string)(p);
        const page = await agent.submit(form, '/reset-password/complete', { password: chosen, confirm: chosen });
        // The form stays usable: a good password still goes through.
        const retry = await agent.submit(page, '/reset-password/complete', { password: 'a much better choice', confirm: 'a much better choice' });
        expect(retry.html).toContain('Your password was changed');
        return { page, status: 400, message: message as string };
      },
    })),
    {
      name: 'a confirmation that does not match',
      run: async () => {
        const p = await person();
        const agent = new UserAgent();
        const form = await passwordForm(agent, await sendLink(p), p.mobile!);
        const page = await agent.submit(form, '/reset-password/complete', { password: 'one new password', confirm: 'another new password' });
        return { page, status: 400, message: messageFor('reset.mismatch'), password: { username: p.username, current: p.password } };
      },
    },
    {
      name: 'a form without its CSRF token',
      run: async () => {
        const p = await person();
        const agent = new UserAgent();
        const start = await agent.get(await sendLink(p));
        const { hidden } = findForm(start.html, '/reset-password/send');
        const before = sms.messages.length;
        const page = await agent.post(`${server.url}/reset-password/send`, { token: hidden.token! });
        expect(sms.messages.length).toBe(before);
        return { page, status: 403, message: messageFor('csrf.invalid'), password: { username: p.username, current: p.password } };
      },
    },
  ];

  it.each(refusals)('refuses $name', async ({ run }) => {
    const { page, status, message, password } = await run();
    expect(page.status).toBe(status);
    expect(page.html).toContain(message);
    if (message === DEAD) {
      // Every dead link looks the same, and says nothing about whose it was.
      const unknown = await new UserAgent().get(`${server.url}/reset-password?token=${randomToken(16)}`);
      expect(page.html).toBe(unknown.html);
      expect(page.html).not.toMatch(/reset\d{3}|Person \d|\+1555/);
    }
    if (password) expect(await signsIn(password.username, password.current)).toBe(true);
  });
});
