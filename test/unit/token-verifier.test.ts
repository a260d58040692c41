// The soft token as a second factor, on a real database with a fake clock: which tokens answer,
// no code twice, drift remembered, lockout after consecutive failures, secrets sealed at rest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config.js';
import type { Mail } from '../../src/delivery/message.js';
import { AppError } from '../../src/errors/app-error.js';
import { createViews } from '../../src/http/views.js';
import { openDatabase } from '../../src/persistence/data-source.js';
import { SoftTokenEntity } from '../../src/persistence/entities/soft-token.entity.js';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { createServices, type Services } from '../../src/services.js';
import { fromBase32, timeStep, toBase32, totpCode } from '../../src/tokens/totp.js';
import { createTestDatabase, type TestDatabase, testEnv } from '../support/test-server.js';

const MAX_FAILURES = 4;
const LOCKOUT_SECONDS = 600;
const params = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };

let dir: string;
let db: TestDatabase;
let ds: DataSource;
let s: Services;
// Mid-step, so that ±30 s is squarely the neighbouring step.
let t = 1_700_000_015_000;
const clock = { now: () => t };
const mails: Mail[] = [];
let users = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'token-verifier-'));
  db = await createTestDatabase(dir);
  const config = loadConfig(testEnv(dir, db.url, { TOKEN_MAX_FAILURES: String(MAX_FAILURES), LOCKOUT_DURATION: String(LOCKOUT_SECONDS), TOTP_WINDOW: '1' }));
  ds = await openDatabase(config.database);
  s = await createServices(config, ds, createViews(), { clock, mail: { sendMail: async (m) => void mails.push(m) } });
});

afterAll(async () => {
  await s?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ok';
}

async function newUser(): Promise<UserEntity> {
  const name = `user${++users}`;
  return s.users.create({ username: name, email: `${name}@example.com`, password: `${name} secret password` });
}

/** An authenticator-app token, activated with its first code (which spends the current step). */
async function activeToken(user: UserEntity, name: string): Promise<{ token: SoftTokenEntity; secret: Uint8Array; code: (steps?: number) => string }> {
  const enrolment = await s.tokens.createForApp(user, name);
  const secret = fromBase32(enrolment.key);
  const code = (steps = 0) => totpCode(secret, params, t + steps * 30_000);
  const token = await s.tokens.completeWithCode(user.id, enrolment.token.id, code());
  expect(token.state).toBe('active');
  return { token, secret, code };
}

const row = (id: string) => ds.getRepository(SoftTokenEntity).findOneByOrFail({ id });
const nextStep = () => (t += 30_000);
const wrongCode = (right: string) => (right === '000000' ? '111111' : '000000');

describe('token verifier', () => {
  it('accepts a code from any of the user’s active tokens and says which one answered', async () => {
    const user = await newUser();
    const laptop = await activeToken(user, 'Laptop');
    const phone = await activeToken(user, 'Phone');
    nextStep();
    expect((await s.tokenVerifier.verify(user.id, phone.code())).id).toBe(phone.token.id);
    nextStep();
    expect((await s.tokenVerifier.verify(user.id, ` ${laptop.code().slice(0, 3)} ${laptop.code().slice(3)} `)).id).toBe(laptop.token.id);
    expect((await row(phone.token.id)).lastStep).toBe(timeStep(params, t) - 1);
  });

  it('never accepts a code (time step) twice for a token, nor an older step after a newer one', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('totp.invalid'); // spent by the activation
    nextStep();
    const now = a.code();
    expect(await codeOf(s.tokenVerifier.verify(user.id, now))).toBe('ok');
    expect(await codeOf(s.tokenVerifier.verify(user.id, now))).toBe('totp.invalid');
    nextStep();
    expect(await codeOf(s.tokenVerifier.verify(user.id, now))).toBe('totp.invalid'); // still in the window, yet spent

    const ahead = a.code(1);
    const current = a.code(0);
    expect(await codeOf(s.tokenVerifier.verify(user.id, ahead))).toBe('ok');
    expect(await codeOf(s.tokenVerifier.verify(user.id, current))).toBe('totp.invalid'); // older than the accepted one
  });

  it('lets exactly one of several simultaneous uses of the same code through', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    nextStep();
    const results = await Promise.all(Array.from({ length: 4 }, () => codeOf(s.tokenVerifier.verify(user.id, a.code()))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'totp.invalid')).toHaveLength(3);
  });

  it('keeps the same step usable once on each token', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    const b = await activeToken(user, 'B');
    nextStep();
    expect((await s.tokenVerifier.verify(user.id, a.code())).id).toBe(a.token.id);
    expect((await s.tokenVerifier.verify(user.id, b.code())).id).toBe(b.token.id);
  });

  it.each([
    [1, 1],
    [-1, -1],
    [0, 0],
  ])('remembers a drift of %i steps', async (offset, drift) => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    t += 3 * 30_000; // well past the activation's step, so step −1 is still unspent
    await s.tokenVerifier.verify(user.id, a.code(offset));
    const stored = await row(a.token.id);
    expect(stored.drift).toBe(drift);
    expect(stored.lastStep).toBe(timeStep(params, t) + offset);
    expect(stored.lastUsedAt).toBe(t);
  });

  it('keeps a code used at sign-in used when the token is resynchronised to an earlier step', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    nextStep();
    // A sign-in takes the code one step ahead (within the window); a resync then finds two codes a
    // step behind it.
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code(1)))).toBe('ok');
    expect(await s.tokens.findConsecutive(a.token, a.code(-1), a.code(0), 3)).toBe(0);
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code(1)))).toBe('totp.invalid');
    expect((await row(a.token.id)).lastStep).toBe(timeStep(params, t) + 1);
  });

  it('refuses codes outside the window', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    t += 3 * 30_000;
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code(-2)))).toBe('totp.invalid');
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code(2)))).toBe('totp.invalid');
  });

  it('answers "invalid", not a crash, when the server clock steps back behind an accepted step', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    nextStep();
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('ok');
    const accepted = t;
    t -= 3 * 30_000; // e.g. an NTP correction on the server
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('totp.invalid');
    t = accepted;
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('totp.invalid'); // still spent
    nextStep();
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('ok');
  });

  it(`locks after ${MAX_FAILURES} consecutive failures, even for the right code, until the lockout passes`, async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    nextStep();
    for (let i = 0; i < MAX_FAILURES; i++) expect(await codeOf(s.tokenVerifier.verify(user.id, wrongCode(a.code())))).toBe('totp.invalid');
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('totp.locked');
    const locked = await row(a.token.id);
    expect(locked.failedAttempts).toBe(MAX_FAILURES);
    expect(locked.lockedUntil).toBe(t + LOCKOUT_SECONDS * 1000);

    t += LOCKOUT_SECONDS * 1000 - 1000;
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('totp.locked');
    t += 2000;
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('ok');
    const open = await row(a.token.id);
    expect(open.failedAttempts).toBe(0);
    expect(open.lockedUntil).toBeNull();
  });

  it(`weighs no more than ${MAX_FAILURES} codes sent at once, and locks`, async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    nextStep();
    const answers = await Promise.all(Array.from({ length: 10 }, () => codeOf(s.tokenVerifier.verify(user.id, wrongCode(a.code())))));
    expect(answers.filter((c) => c === 'totp.invalid')).toHaveLength(MAX_FAILURES);
    expect(answers.filter((c) => c === 'totp.locked')).toHaveLength(10 - MAX_FAILURES);
    const locked = await row(a.token.id);
    expect(locked.failedAttempts).toBe(MAX_FAILURES);
    expect(locked.lockedUntil).toBe(t + LOCKOUT_SECONDS * 1000);
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('totp.locked');
  });

  it('gives back the tries of the tokens that did not answer', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    const b = await activeToken(user, 'B');
    nextStep();
    expect(await codeOf(s.tokenVerifier.verify(user.id, wrongCode(a.code())))).toBe('totp.invalid');
    expect((await row(b.token.id)).failedAttempts).toBe(1);
    expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('ok');
    // A answered (its count cleared); B did not, and its try for this code is given back.
    expect((await row(a.token.id)).failedAttempts).toBe(0);
    expect((await row(b.token.id)).failedAttempts).toBe(1);
  });

  it('counts only consecutive failures: a success starts the count again', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    for (let round = 0; round < 3; round++) {
      nextStep();
      for (let i = 0; i < MAX_FAILURES - 1; i++) expect(await codeOf(s.tokenVerifier.verify(user.id, wrongCode(a.code())))).toBe('totp.invalid');
      expect(await codeOf(s.tokenVerifier.verify(user.id, a.code()))).toBe('ok');
    }
  });

  it('never lets a pending or disabled token answer', async () => {
    const user = await newUser();
    const pending = await s.tokens.createForApp(user, 'Pending');
    const pendingSecret = fromBase32(pending.key);
    const disabled = await activeToken(user, 'Disabled');
    await s.tokens.update(disabled.token, { state: 'disabled' });
    nextStep();
    expect(await codeOf(s.tokenVerifier.verify(user.id, totpCode(pendingSecret, params, t)))).toBe('totp.invalid');
    expect(await codeOf(s.tokenVerifier.verify(user.id, disabled.code()))).toBe('totp.invalid');
    expect((await row(pending.token.id)).state).toBe('pending');

    const active = await activeToken(user, 'Active');
    nextStep();
    expect(await codeOf(s.tokenVerifier.verify(user.id, disabled.code()))).toBe('totp.invalid');
    expect((await s.tokenVerifier.verify(user.id, active.code())).id).toBe(active.token.id);
  });

  it('activates a token with its first code only if its secret was not renewed meanwhile', async () => {
    const user = await newUser();
    const enrolment = await s.tokens.createForApp(user, 'Racing app');
    const code = totpCode(fromBase32(enrolment.key), params, t);
    // The renewal lands after the code is read against the first secret, before the token is activated.
    const get = s.tokens.get.bind(s.tokens);
    s.tokens.get = async (userId, tokenId) => {
      s.tokens.get = get;
      const seen = await get(userId, tokenId);
      await s.tokens.renewAppSecret(user, await get(userId, tokenId));
      return seen;
    };
    try {
      expect(await codeOf(s.tokens.completeWithCode(user.id, enrolment.token.id, code))).toBe('enrol.not_active');
    } finally {
      s.tokens.get = get;
    }
    const now = await row(enrolment.token.id);
    expect(now.state).toBe('pending');
    // The renewed secret is the one the token waits for.
    const renewed = await s.tokens.appEnrolment(user, enrolment.token.id);
    expect(renewed.key).not.toBe(enrolment.key);
    expect((await s.tokens.completeWithCode(user.id, enrolment.token.id, totpCode(fromBase32(renewed.key), params, t))).state).toBe('active');
  });

  it('gives two tokens created at once names of their own', async () => {
    const user = await newUser();
    await Promise.all([s.tokens.createForSofttoken(user, 'Phone'), s.tokens.createForSofttoken(user, 'Phone')]);
    expect((await s.tokens.list(user.id)).map((token) => token.name).sort()).toEqual(['Phone', 'Phone 2']);
  });

  it('keeps secrets sealed at rest, bound to their own row', async () => {
    const user = await newUser();
    const a = await activeToken(user, 'A');
    const raw = (await ds.createQueryBuilder().select('t.secret', 'secret').from('soft_tokens', 't').where('t.id = :id', { id: a.token.id }).getRawOne()) as { secret: string };
    const secret = Buffer.from(a.secret);
    expect(raw.secret).toMatch(/^v1\./);
    for (const plain of [toBase32(secret), secret.toString('base64'), secret.toString('base64url'), secret.toString('hex'), secret.toString('latin1')]) {
      expect(raw.secret).not.toContain(plain);
    }
    expect(Buffer.from(s.tokens.secretOf({ ...a.token, secret: raw.secret }))).toEqual(secret);
    // Copied onto another token, the sealed value does not open.
    const b = await activeToken(user, 'B');
    expect(() => s.tokens.secretOf({ ...b.token, secret: raw.secret })).toThrow();
  });
});
