// Limits on tries hold when the tries come at once: the address limiter admits no more than its limit
// of tries under way and counted, counts in one statement per failure (a new window included), and
// clearing a lock that has run out never clears one set since. On a real database, with a fake clock.
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
