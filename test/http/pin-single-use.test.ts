// A one-time PIN is taken once: the right PIN sent twice, or by several requests at the same moment,
// lets exactly one of them through. The statement a completed sign-in ends with clears the failure
// count and keeps its time, but never lifts a lock in force nor touches a disabled account.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('one-time PIN claim', () => {
  let server: TestServer;
  let sms: SmsCapture;
  let user: Awaited<ReturnType<TestServer['app']['services']['users']['create']>>;

  beforeAll(async () => {
    sms = new SmsCapture();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: await sms.start(), PIN_RESEND_COOLDOWN: '0' } });
    user = await server.app.services.users.create({ username: 'ivy', email: 'ivy@example.com', mobile: '+15557771111', password: 'ivy password 1' });
  });

  afterAll(async () => {
    await server?.close();
    await sms?.stop();
  });

  const sendPin = async (purpose: string) => {
    const seen = sms.messages.length;
    await server.app.services.pins.send(user, purpose, 'sms');
    return pinFrom((await sms.next(user.mobile!, seen)).text);
  };
  const outcome = (p: Promise<unknown>) => p.then(() => 'accepted', (err: { code?: string }) => err.code ?? 'error');

  it('lets the right PIN through once', async () => {
    const pin = await sendPin('login');
    const { pins } = server.app.services;
    expect(await outcome(pins.verify(user.id, 'login', pin))).toBe('accepted');
    expect(await outcome(pins.verify(user.id, 'login', pin))).toBe('pin.invalid');
  });

  it('lets one of several simultaneous requests with the right PIN through', async () => {
    const pin = await sendPin('race');
    const { pins } = server.app.services;
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => outcome(pins.verify(user.id, 'race', pin))));
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'accepted').every((o) => o === 'pin.invalid')).toBe(true);
  });

  it('clears the failure count and an expired lock on a completed sign-in, and keeps its time', async () => {
    const { users, lockout } = server.app.services;
    await users.update(user.id, { failedLogins: 3, lockedAt: 1000, lockedUntil: 2000 });
    const before = Date.now();
    expect(await lockout.recordSuccess(user.id)).toBe(true);
    const after = (await users.findById(user.id))!;
    expect({ failedLogins: after.failedLogins, lockedAt: after.lockedAt, lockedUntil: after.lockedUntil }).toEqual({ failedLogins: 0, lockedAt: null, lockedUntil: null });
    expect(after.lastLoginAt).toBeGreaterThanOrEqual(before - 1000);
  });

  it('leaves a lock in force, an administrator\'s included, and a disabled account as they are', async () => {
    const { users, lockout, userAdmin } = server.app.services;
    await users.update(user.id, { failedLogins: 2, lockedAt: null, lockedUntil: null, lastLoginAt: 5 });
    await userAdmin.lock(user.id, { actor: 'pin-test' });
    expect(await lockout.recordSuccess(user.id)).toBe(false);
    let row = (await users.findById(user.id))!;
    expect({ locked: lockout.isLocked(row), failedLogins: row.failedLogins, lastLoginAt: row.lastLoginAt }).toEqual({ locked: true, failedLogins: 2, lastLoginAt: 5 });

    await users.update(user.id, { lockedAt: Date.now(), lockedUntil: Date.now() + 60_000 });
    expect(await lockout.recordSuccess(user.id)).toBe(false);
    expect(lockout.isLocked((await users.findById(user.id))!)).toBe(true);

    await users.update(user.id, { lockedAt: null, lockedUntil: null, status: 'disabled' });
    expect(await lockout.recordSuccess(user.id)).toBe(false);
    row = (await users.findById(user.id))!;
    expect({ status: row.status, lastLoginAt: row.lastLoginAt }).toEqual({ status: 'disabled', lastLoginAt: 5 });
  });
});
