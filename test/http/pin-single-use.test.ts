// A one-time PIN is taken once: the right PIN sent twice, or by several requests at the same moment,
// lets exactly one of them through; of several requests for a PIN at the same moment, one sends. The statement a completed sign-in ends with clears the failure
// count and keeps its time, but never lifts a lock in force nor touches a disabled account.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OnePinPerPurpose1765200000000 } from '../../migrations/1765200000000-one-pin-per-purpose.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom } from '../support/smtp-capture.js';
import { openTestDatabase, startTestServer, type TestServer } from '../support/test-server.js';

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

  it('refuses the right PIN once it has expired or its tries are spent, and says which', async () => {
    const { pins } = server.app.services;
    const late = await sendPin('late');
    await server.app.ds.query(`UPDATE one_time_pins SET expires_at = expires_at - 3600000 WHERE user_id = '${user.id}' AND purpose = 'late'`);
    expect(await outcome(pins.verify(user.id, 'late', late))).toBe('pin.expired');
    const guessed = await sendPin('guessed');
    const wrong = guessed === '000000' ? '111111' : '000000';
    const tries: string[] = [];
    for (let i = 0; i < 5; i++) tries.push(await outcome(pins.verify(user.id, 'guessed', wrong)));
    expect(tries.at(-1)).toBe('pin.too_many_attempts');
    expect(await outcome(pins.verify(user.id, 'guessed', guessed))).toBe('pin.too_many_attempts');
    // Neither was taken by those refusals.
    const rows = (await server.app.ds.query(`SELECT consumed_at FROM one_time_pins WHERE user_id = '${user.id}' AND purpose IN ('late', 'guessed')`)) as Array<{ consumed_at: unknown }>;
    expect(rows.map((r) => r.consumed_at)).toEqual([null, null]);
  });

  it('weighs no more guesses than the limit, however many come at once', async () => {
    const { pins } = server.app.services;
    const pin = await sendPin('burst');
    const wrong = pin === '000000' ? '111111' : '000000';
    // 20 wrong guesses and then the right PIN, all at the same moment (the limit is 5 tries).
    const outcomes = await Promise.all([...Array.from({ length: 20 }, () => outcome(pins.verify(user.id, 'burst', wrong))), outcome(pins.verify(user.id, 'burst', pin))]);
    const [row] = (await server.app.ds.query(`SELECT attempts FROM one_time_pins WHERE user_id = '${user.id}' AND purpose = 'burst'`)) as Array<{ attempts: number }>;
    const accepted = outcomes.at(-1) === 'accepted';
    // Counted tries never pass the limit; the right PIN gets through only if it was among the first five weighed.
    expect(Number(row!.attempts)).toBeLessThanOrEqual(5);
    if (accepted) expect(Number(row!.attempts)).toBeLessThan(5);
    else expect(Number(row!.attempts)).toBe(5);
    // On SQLite the statements run in the order they were sent: the right PIN came after five wrong ones.
    if (!process.env.TEST_DATABASE_URL) expect(outcomes.at(-1)).toBe('pin.too_many_attempts');
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

describe('one-time PIN sending', () => {
  let server: TestServer;
  let sms: SmsCapture;

  beforeAll(async () => {
    sms = new SmsCapture();
    server = await startTestServer({ env: { SMS_WEBHOOK_URL: await sms.start(), PIN_RESEND_COOLDOWN: '30' } });
  });

  afterAll(async () => {
    await server?.close();
    await sms?.stop();
  });

  it('sends one PIN to several simultaneous requests; the others are told to wait, and that PIN works', async () => {
    const user = await server.app.services.users.create({ username: 'jon', email: 'jon@example.com', mobile: '+15557772222', password: 'jon password 1' });
    const { pins } = server.app.services;
    const seen = sms.messages.length;
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => pins.send(user, 'login', 'sms').then(() => 'sent', (err: { code?: string }) => err.code ?? 'error')));
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'sent')).toEqual(Array(4).fill('pin.resend_cooldown'));
    const pin = pinFrom((await sms.next(user.mobile!, seen)).text);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sms.messages.length - seen).toBe(1);
    const rows = (await server.app.ds.query(`SELECT id FROM one_time_pins WHERE user_id = '${user.id}'`)) as unknown[];
    expect(rows).toHaveLength(1);
    expect(await pins.verify(user.id, 'login', pin)).toBe('sms');
  });

  it('replaces the earlier PIN once the cooldown is over: only the new one works', async () => {
    const user = await server.app.services.users.create({ username: 'kim', email: 'kim@example.com', mobile: '+15557773333', password: 'kim password 1' });
    const { pins } = server.app.services;
    let seen = sms.messages.length;
    await pins.send(user, 'login', 'sms');
    const first = pinFrom((await sms.next(user.mobile!, seen)).text);
    await expect(pins.send(user, 'login', 'sms')).rejects.toMatchObject({ code: 'pin.resend_cooldown', params: { seconds: 30 } });
    // The cooldown is over: the earlier PIN is 31 seconds old.
    await server.app.ds.query(`UPDATE one_time_pins SET created_at = created_at - 31000 WHERE user_id = '${user.id}'`);
    seen = sms.messages.length;
    await pins.send(user, 'login', 'sms');
    const second = pinFrom((await sms.next(user.mobile!, seen)).text);
    if (first !== second) await expect(pins.verify(user.id, 'login', first)).rejects.toMatchObject({ code: 'pin.invalid' });
    expect(await pins.verify(user.id, 'login', second)).toBe('sms');
  });
});

describe('the migration to one PIN per purpose', () => {
  it('keeps the newest of earlier duplicates, then refuses a second row for the same purpose', async () => {
    const db = await openTestDatabase('idp-pins-');
    try {
      const runner = db.ds.createQueryRunner();
      try {
        await new OnePinPerPurpose1765200000000().down(runner);
        await runner.query(`INSERT INTO users (id, username, email, created_at, updated_at) VALUES ('u1', 'u1', 'u1@example.com', 0, 0)`);
        const insert = (id: string, purpose: string, createdAt: number) =>
          runner.query(
            `INSERT INTO one_time_pins (id, user_id, purpose, channel, destination, code_hash, attempts, expires_at, consumed_at, created_at) VALUES ('${id}', 'u1', '${purpose}', 'sms', '+1555', 'h', 0, 9999999999999, NULL, ${createdAt})`,
          );
        await insert('a-old', 'login', 1000);
        await insert('a-new', 'login', 3000);
        await insert('a-mid', 'login', 2000);
        await insert('b-1', 'reset', 5000);
        await insert('b-2', 'reset', 5000);
        await new OnePinPerPurpose1765200000000().up(runner);
        const rows = (await runner.query('SELECT id FROM one_time_pins ORDER BY id')) as Array<{ id: string }>;
        expect(rows.map((r) => r.id)).toEqual(['a-new', 'b-2']);
        await expect(insert('a-again', 'login', 4000)).rejects.toThrow();
      } finally {
        await runner.release();
      }
    } finally {
      await db.close();
    }
  });
});
