// An administrator's password reset link, end to end: the link arrives by real SMTP, the PIN by the
// SMS webhook, the new password signs in. Every refusal (dead links, skipped PIN, wrong PINs, weak
// or reused passwords, CSRF) and the admin side (console button, API, help desk refused).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UserActions } from '../../src/admin/actions/user.actions.js';
import { messageFor } from '../../src/errors/messages.js';
import type { Role } from '../../src/persistence/entities/user.entity.js';
import { maskDestination } from '../../src/pins/mask.js';
import { randomToken } from '../../src/security/random.js';
import { totpCode } from '../../src/tokens/totp.js';
import { serviceAccount } from '../support/admin-api.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { mailText } from '../support/mail-text.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { findForm, type Page, UserAgent } from '../support/user-agent.js';

const MAX_PINS = 3;
const DEAD = messageFor('reset.invalid');
const ip = { ip: '198.51.100.7' };

let server: TestServer;
let smtp: SmtpCapture;
let sms: SmsCapture;
let offset = 0;
const now = () => Date.now() + offset;
const s = () => server.app.services;

beforeAll(async () => {
  smtp = new SmtpCapture();
  sms = new SmsCapture();
  server = await startTestServer({
    env: {
      SMTP_URL: await smtp.start(),
      SMS_WEBHOOK_URL: await sms.start(),
      PIN_RESEND_COOLDOWN: '0',
      PIN_MAX_ATTEMPTS: String(MAX_PINS),
      LOCKOUT_THRESHOLD: '10',
      // Staff sign in to the console with a soft token.
      REQUIRE_SOFT_TOKEN: 'true',
    },
    overrides: { clock: { now } },
  });
});

afterAll(async () => {
  await server?.close();
  await smtp?.stop();
  await sms?.stop();
});

let n = 0;
async function person(mobile = true) {
  const username = `reset${String(++n).padStart(3, '0')}`;
  const password = `${username} password 1`;
  const phone = mobile ? `+1555010${String(1000 + n)}` : undefined;
  const user = await s().users.create({ username, email: `${username}@example.com`, mobile: phone, password, name: `Person ${n}` });
  return { user, username, password, mobile: phone };
}

/** The link in the newest reset e-mail to `email` after `seen` messages. */
async function linkFrom(email: string, seen: number): Promise<string> {
  const text = mailText((await smtp.next(email, seen)).raw);
  const m = /(http:\/\/[^\s"<>]+\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no reset link in:\n${text}`);
  return m[1]!;
}

async function sendLink(p: { user: { id: string; email: string } }): Promise<string> {
  const seen = smtp.messages.length;
  await new UserActions(s()).sendResetLink({ actor: 'test-admin', role: 'admin' }, p.user.id);
  return linkFrom(p.user.email, seen);
}

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

  it('does not work while the account is locked after the link was sent, and works again once unlocked', async () => {
    const p = await person();
    const link = await sendLink(p);
    offset += 1; // the lock comes after the link
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
        offset += (server.config.passwordReset.ttl + 1) * 1000;
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

describe('password reset link: the administrator side', () => {
  /** A staff member signed in to /admin with password and soft token. */
  async function staff(username: string, role: Role): Promise<UserAgent> {
    const { secret } = await createEnrolledUser(server, username, now, role);
    offset += 30_000;
    const agent = new UserAgent();
    const login = await agent.follow(await agent.get(`${server.url}/admin/users`));
    const totp = await agent.follow(await agent.submit(login, '/step/password', { login: username, password: `${username} password 1` }));
    const page = await agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, now()) }));
    expect(page.html).toContain('<h1>Users</h1>');
    return agent;
  }

  it("sends the e-mail from a super administrator's button, with a notice and an audit event", async () => {
    const p = await person();
    const agent = await staff('root', 'superadmin');
    const detail = await agent.get(`${server.url}/admin/users/${p.user.id}`);
    const form = findForm(detail.html, `/admin/users/${p.user.id}/reset-link`);
    expect(detail.html).toContain('Send password reset link');
    const seen = smtp.messages.length;
    const shown = await agent.follow(await agent.post(new URL(form.action, detail.url).href, form.hidden));
    expect(shown.html).toContain(messageFor('admin.reset_link_sent'));
    const link = await linkFrom(p.user.email, seen);
    expect((await new UserAgent().get(link)).status).toBe(200);
    const root = (await s().users.findByLogin('root'))!;
    const [event] = await s().audit.list({ subject: p.user.id, type: 'password.reset_link_sent' });
    expect(event?.actor).toBe(root.id);
  });

  it('refuses help desk, in the console and in the API, and sends nothing', async () => {
    const p = await person();
    const agent = await staff('desk', 'helpdesk');
    const detail = await agent.get(`${server.url}/admin/users/${p.user.id}`);
    expect(detail.html).not.toContain('reset-link');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(detail.html)![1]!;
    const seen = smtp.messages.length;
    const shown = await agent.follow(await agent.post(`${server.url}/admin/users/${p.user.id}/reset-link`, { _csrf: csrf }));
    expect(shown.html).toContain(messageFor('admin.forbidden'));

    const desk = await serviceAccount(server, 'reset-helpdesk', 'helpdesk');
    const refused = await desk.request('POST', `/users/${p.user.id}/reset-link`);
    expect(refused.status).toBe(403);
    expect(smtp.messages.slice(seen).filter((m) => m.to.includes(p.user.email))).toHaveLength(0);
    expect(await s().audit.list({ subject: p.user.id, type: 'password.reset_link_sent' })).toHaveLength(0);
  });

  it('sends the link through the admin API for an administrator', async () => {
    const p = await person();
    const admin = await serviceAccount(server, 'reset-admin', 'admin');
    const seen = smtp.messages.length;
    const res = await admin.request('POST', `/users/${p.user.id}/reset-link`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ expiresAt: expect.any(Number) });
    expect((await new UserAgent().get(await linkFrom(p.user.email, seen))).status).toBe(200);
  });
});
