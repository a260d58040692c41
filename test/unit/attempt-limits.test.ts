// Limits on tries hold when the tries come at once: the address limiter admits no more than its limit
// of tries under way and counted, counts in one statement per failure (a new window included), the
// account's lockout admits no more tries of security answers than it has left, and clearing a lock
// that has run out never clears one set since. On a real database, with a fake clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config.js';
import { createViews } from '../../src/http/views.js';
import { openDatabase } from '../../src/persistence/data-source.js';
import { RateLimitEntity } from '../../src/persistence/entities/rate-limit.entity.js';
import { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { RateLimiter } from '../../src/security/rate-limiter.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase, testEnv } from '../support/test-server.js';

let dir: string;
let db: TestDatabase;
let ds: DataSource;
let s: Services;
let t = 1_700_000_000_000;
const clock = { now: () => t };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attempt-limits-'));
  db = await createTestDatabase(dir);
  const config = loadConfig(testEnv(dir, db.url, { LOCKOUT_THRESHOLD: '3', LOCKOUT_DURATION: '600' }));
  ds = await openDatabase(config.database);
  s = await createServices(config, ds, createViews(), { clock, mail: { sendMail: async () => undefined } });
});

afterAll(async () => {
  await s?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the address limiter', () => {
  const count = async (key: string) => (await ds.getRepository(RateLimitEntity).findOneBy({ key }))?.count ?? 0;

  it('admits no more tries at once than the limit, counts only failures, and frees a place when a try ends', async () => {
    const limiter = new RateLimiter(ds, clock, 3, 60);
    const admitted = await Promise.all(Array.from({ length: 8 }, () => limiter.take('burst')));
    expect(admitted.filter(Boolean)).toHaveLength(3);
    // One succeeds (nothing counted), two fail.
    await Promise.all([limiter.settle('burst', false), limiter.settle('burst', true), limiter.settle('burst', true)]);
    expect(await count('burst')).toBe(2);
    expect(await limiter.take('burst')).toBe(true);
    expect(await limiter.take('burst')).toBe(false);
    await limiter.settle('burst', true);
    expect(await limiter.isLimited('burst')).toBe(true);
  });

  it('counts failures sent at once each once, and starts a new window once the last one is over', async () => {
    const limiter = new RateLimiter(ds, clock, 100, 60);
    await Promise.all(Array.from({ length: 6 }, () => limiter.hit('window')));
    expect(await count('window')).toBe(6);
    t += 61_000;
    await Promise.all(Array.from({ length: 4 }, () => limiter.hit('window')));
    expect(await count('window')).toBe(4);
  });
});

describe('a lock that has run out', () => {
  it('is cleared only if it is still the lock that was seen', async () => {
    const user = await s.users.create({ username: 'relock', email: 'relock@example.com', password: 'relock password 1' });
    const users = ds.getRepository(UserEntity);
    await users.update({ id: user.id }, { failedLogins: 3, lockedAt: t - 700_000, lockedUntil: t - 100_000 });
    const seen = (await users.findOneByOrFail({ id: user.id }))!;
    // Failures sent meanwhile lock the account again before the stale read clears "its" lock.
    await users.update({ id: user.id }, { failedLogins: 3, lockedAt: t, lockedUntil: t + 600_000 });
    await s.lockout.clearExpired(seen);
    const now = await users.findOneByOrFail({ id: user.id });
    expect(now).toMatchObject({ failedLogins: 3, lockedAt: t, lockedUntil: t + 600_000 });
    expect(s.lockout.isLocked(seen)).toBe(true);
    // The lock that has run out, still the one seen, is cleared.
    t += 601_000;
    await s.lockout.clearExpired(seen);
    expect(await users.findOneByOrFail({ id: user.id })).toMatchObject({ failedLogins: 0, lockedAt: null, lockedUntil: null });
  });
});

describe("the account's tries", () => {
  const users = () => ds.getRepository(UserEntity);

  it('admits no more tries at once than are left, locks once on the failure that reaches the threshold, and gives back a try that did not fail', async () => {
    const user = await s.users.create({ username: 'taker', email: 'taker@example.com', password: 'taker password 1' });
    const admitted = await Promise.all(Array.from({ length: 3 }, () => s.lockout.take(user)));
    expect(admitted).toEqual([true, true, true]);
    expect((await users().findOneByOrFail({ id: user.id })).failedLogins).toBe(3);
    // One did not fail: its try comes back, and can be taken again.
    expect(await s.lockout.settle(user.id, false)).toBe(false);
    expect((await users().findOneByOrFail({ id: user.id })).failedLogins).toBe(2);
    expect(await s.lockout.take(user)).toBe(true);
    // Three failures settled at once: exactly one locks the account.
    const locked = await Promise.all([s.lockout.settle(user.id, true), s.lockout.settle(user.id, true), s.lockout.settle(user.id, true)]);
    expect(locked.filter(Boolean)).toHaveLength(1);
    const row = await users().findOneByOrFail({ id: user.id });
    expect(row).toMatchObject({ failedLogins: 3, lockedAt: t, lockedUntil: t + 600_000 });
    expect((await s.audit.list({ type: 'account.locked', limit: 100 })).filter((e) => e.subject === user.id)).toHaveLength(1);
    // Locked: no try at all, until the lock runs out.
    expect(await s.lockout.take(row)).toBe(false);
    t += 601_000;
    expect(await s.lockout.take(row)).toBe(true);
    expect((await users().findOneByOrFail({ id: user.id })).failedLogins).toBe(1);
  });

  it('of tries sent at once admits only those left, and locks only on failures, not on tries still under way', async () => {
    const user = await s.users.create({ username: 'burster', email: 'burster@example.com', password: 'burster password 1' });
    const admitted = await Promise.all(Array.from({ length: 8 }, () => s.lockout.take(user)));
    expect(admitted.filter(Boolean)).toHaveLength(3);
    // The tries under way will settle the count: no lock yet.
    expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({ failedLogins: 3, lockedAt: null });
    // Two fail, one was right: two failures, below the threshold, no lock.
    expect(await Promise.all([s.lockout.settle(user.id, true), s.lockout.settle(user.id, true), s.lockout.settle(user.id, false)])).toEqual([false, false, false]);
    expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({ failedLogins: 2, lockedAt: null });
    // Three more at once, all wrong: the one that reaches the threshold locks, once.
    const again = await Promise.all(Array.from({ length: 3 }, () => s.lockout.take(user)));
    expect(again.filter(Boolean)).toHaveLength(1);
    expect(await s.lockout.settle(user.id, true)).toBe(true);
    expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({ failedLogins: 3, lockedAt: t });
    expect((await s.audit.list({ type: 'account.locked', limit: 100 })).filter((e) => e.subject === user.id)).toEqual([expect.objectContaining({ details: { failures: 3 } })]);
  });

  it('locks on the last of failures settled at once, whatever their order', async () => {
    const user = await s.users.create({ username: 'settler', email: 'settler@example.com', password: 'settler password 1' });
    expect(await Promise.all(Array.from({ length: 3 }, () => s.lockout.take(user)))).toEqual([true, true, true]);
    const locked = await Promise.all(Array.from({ length: 3 }, () => s.lockout.settle(user.id, true)));
    expect(locked.filter(Boolean)).toHaveLength(1);
    expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({ failedLogins: 3, lockedAt: t });
  });

  it('locks once when failures counted at once reach the threshold together, and again after a lock that has run out', async () => {
    const user = await s.users.create({ username: 'twofold', email: 'twofold@example.com', password: 'twofold password 1' });
    await users().update({ id: user.id }, { failedLogins: 1 });
    const locked = await Promise.all([s.lockout.recordFailure(user.id), s.lockout.recordFailure(user.id)]);
    expect(locked.filter(Boolean)).toHaveLength(1);
    expect((await s.audit.list({ type: 'account.locked', limit: 100 })).filter((e) => e.subject === user.id)).toHaveLength(1);
    // The lock runs out; a failure before anything clears it locks again.
    t += 601_000;
    expect(await s.lockout.recordFailure(user.id)).toBe(true);
    expect(await users().findOneByOrFail({ id: user.id })).toMatchObject({ failedLogins: 4, lockedAt: t, lockedUntil: t + 600_000 });
  });

  it('locks, rather than leaves without tries, an account whose count reached the threshold without a lock', async () => {
    const user = await s.users.create({ username: 'stuck', email: 'stuck@example.com', password: 'stuck password 1' });
    // A lower threshold set since, or a try that never ended: the count is at the threshold, and no lock.
    await users().update({ id: user.id }, { failedLogins: 3 });
    expect(await s.lockout.take(user)).toBe(false);
    const row = await users().findOneByOrFail({ id: user.id });
    expect(row).toMatchObject({ failedLogins: 3, lockedAt: t, lockedUntil: t + 600_000 });
    expect((await s.audit.list({ type: 'account.locked', limit: 100 })).filter((e) => e.subject === user.id)).toHaveLength(1);
    // The lock runs out like any other, and the count starts afresh.
    t += 601_000;
    expect(await s.lockout.take(row)).toBe(true);
    expect((await users().findOneByOrFail({ id: user.id })).failedLogins).toBe(1);
  });

  it('weighs no more security answers in a password reset than its limits allow, and counts no more failures than the lockout takes, however many come at once', async () => {
    const user = await s.users.create({ username: 'guessed', email: 'guessed@example.com', password: 'guessed password 1' });
    await s.questions.set(user.id, [
      { question: 'What was the name of your first pet?', answer: 'rex' },
      { question: 'In what city were you born?', answer: 'paris' },
      { question: 'What was the make of your first car?', answer: 'volvo' },
    ]);
    const ctx = { ip: '192.0.2.40' };
    const claimant = await s.forgotPassword.identify('guessed', ctx);
    const asked = await s.questions.challenge(user.id);
    const answers = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.forgotPassword.proveQuestions(claimant, asked, asked.map(() => `guess ${i}`), ctx)));
    const codes = answers.map((a) => (a.status === 'rejected' ? (a.reason as { code?: string }).code : 'proven'));
    // The account's lockout admits three tries, whose failures lock it; the others are refused
    // unweighed, or (once it is locked) weighed within the account's password-reset limit
    // (FORGOT_PASSWORD_ACCOUNT_LIMIT, 10, one spent on starting): a locked account's answers are still
    // weighed, so that only a right one learns of the lock.
    const weighed = (await s.audit.list({ type: 'qa.challenge', limit: 100 })).filter((e) => e.subject === user.id);
    expect(weighed.length).toBeLessThanOrEqual(9);
    expect(codes.every((c) => ['qa.invalid', 'login.locked', 'forgot.rate_limited'].includes(c!))).toBe(true);
    const row = await users().findOneByOrFail({ id: user.id });
    expect(row.lockedAt).not.toBeNull();
    expect(row.failedLogins).toBe(3);
  });
});
