// The passkey service's own rules, on a real database: names unique per user (and made up when not
// given), a credential registered once, rename and delete only by the owner, each change audited;
// and the stored row read back alike on SQLite and PostgreSQL (counter past 2^31, flags, transports).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditService } from '../../src/audit/audit.service.js';
import { PasskeyEntity } from '../../src/persistence/entities/passkey.entity.js';
import { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { PasskeyService } from '../../src/passkeys/passkey.service.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

const origin = 'https://id.example.com';
let db: OpenTestDatabase;
let audit: AuditService;
let passkeys: PasskeyService;

beforeAll(async () => {
  db = await openTestDatabase('idp-passkeys-');
  const clock = { now: () => Date.now() };
  audit = new AuditService(db.ds, clock);
  const rules = { policy: { required: false }, tokens: { hasActive: async () => false }, guard: { beforePasskeyLoss: async () => {} }, notices: { notify: async () => {} } };
  passkeys = new PasskeyService(db.ds, clock, audit, { rpId: 'id.example.com', rpName: 'Identity Provider', origin }, randomBytes(32), rules);
});

afterAll(async () => {
  await db?.close();
});

async function newUser(): Promise<UserEntity> {
  const id = randomUUID();
  const user = Object.assign(new UserEntity(), { id, username: `u-${id.slice(0, 8)}`, email: `${id}@example.com`, emailVerified: false, mobile: null, name: '', role: 'user', status: 'active', failedLogins: 0, lockedAt: null, lockedUntil: null, lastLoginAt: null, sessionsEndedAt: null, temporaryPasswordUntil: null, createdAt: 1, updatedAt: 1 });
  await db.ds.getRepository(UserEntity).insert(user);
  return user;
}

const anyChallenge = { challenge: () => true, requireUserVerification: false };

async function register(user: UserEntity, authenticator = new SoftAuthenticator(origin), name?: string, counter?: number) {
  const response = authenticator.register(await passkeys.registrationOptions(user, new Uint8Array(32)), { counter });
  return { response, passkey: await passkeys.register(user, response, anyChallenge, {}, name) };
}

describe('passkey service', () => {
  it('names passkeys "Passkey", "Passkey 2"… unless given a name, and lists them oldest first', async () => {
    const user = await newUser();
    await register(user);
    await register(user);
    await register(user, undefined, '  Work laptop ');
    expect((await passkeys.list(user.id)).map((p) => p.name)).toEqual(['Passkey', 'Passkey 2', 'Work laptop']);
    expect(await passkeys.has(user.id)).toBe(true);
    expect(await passkeys.has((await newUser()).id)).toBe(false);
  });

  it('keeps a counter past 2^31, the flags and the transports as registered', async () => {
    const user = await newUser();
    const { passkey } = await register(user, new SoftAuthenticator(origin, { synced: true }), undefined, 3_000_000_000);
    const row = await db.ds.getRepository(PasskeyEntity).findOneByOrFail({ id: passkey.id });
    expect(row).toMatchObject({ counter: 3_000_000_000, backupEligible: true, backupState: true, transports: ['internal', 'hybrid'], lastUsedAt: null });
  });

  it('registers a credential once, and refuses an answer that fails its checks', async () => {
    const user = await newUser();
    const { response } = await register(user);
    await expect(passkeys.register(user, response, anyChallenge, {})).rejects.toMatchObject({ code: 'passkey.exists' });
    const other = new SoftAuthenticator('https://evil.example').register(await passkeys.registrationOptions(user, new Uint8Array(32)));
    await expect(passkeys.register(user, other, anyChallenge, {})).rejects.toMatchObject({ code: 'passkey.registration_invalid' });
    const refusedChallenge = new SoftAuthenticator(origin).register(await passkeys.registrationOptions(user, new Uint8Array(32)));
    await expect(passkeys.register(user, refusedChallenge, { ...anyChallenge, challenge: () => false }, {})).rejects.toMatchObject({ code: 'passkey.registration_invalid' });
    expect((await audit.list({ type: 'passkey.failed', subject: user.id })).length).toBe(2);
  });

  it('registers one credential sent twice at once once: the other is told it is registered', async () => {
    const user = await newUser();
    const response = new SoftAuthenticator(origin).register(await passkeys.registrationOptions(user, new Uint8Array(32)));
    const results = await Promise.allSettled([passkeys.register(user, response, anyChallenge, {}), passkeys.register(user, response, anyChallenge, {})]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'passkey.exists' } });
    expect(await passkeys.list(user.id)).toHaveLength(1);
  });

  it('gives two passkeys registered at once names of their own', async () => {
    const user = await newUser();
    const [first, second] = [new SoftAuthenticator(origin), new SoftAuthenticator(origin)];
    const responses = [first.register(await passkeys.registrationOptions(user, new Uint8Array(32))), second.register(await passkeys.registrationOptions(user, new Uint8Array(32)))];
    await Promise.all(responses.map((response) => passkeys.register(user, response, anyChallenge, {})));
    expect((await passkeys.list(user.id)).map((p) => p.name).sort()).toEqual(['Passkey', 'Passkey 2']);
  });

  it('takes one use per counter value: of two sign-ins with one assertion at once, one is refused', async () => {
    const user = await newUser();
    const authenticator = new SoftAuthenticator(origin);
    const { passkey } = await register(user, authenticator, undefined, 5);
    const assertion = authenticator.authenticate(await passkeys.authenticationOptions(new Uint8Array(32), user.id), { counter: 6 });
    // Both read the stored counter (5) before either records the new one (6).
    const outcomes = await Promise.allSettled([passkeys.verify({ ...passkey }, assertion, anyChallenge, {}), passkeys.verify({ ...passkey }, assertion, anyChallenge, {})]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((o) => o.status === 'rejected')).toMatchObject({ reason: { code: 'passkey.counter' } });
    expect((await db.ds.getRepository(PasskeyEntity).findOneByOrFail({ id: passkey.id })).counter).toBe(6);
    expect(await audit.list({ type: 'passkey.counter_regressed', subject: user.id })).toHaveLength(1);
  });

  it('lists the excluded credentials of the account when registering another', async () => {
    const user = await newUser();
    const { passkey } = await register(user);
    const options = await passkeys.registrationOptions(user, new Uint8Array(32));
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([passkey.credentialId]);
  });

  it('renames and deletes for the owner only, audited', async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const { passkey } = await register(owner);
    await register(owner, undefined, 'Phone');
    await expect(passkeys.rename(stranger.id, passkey.id, 'Mine now', {})).rejects.toMatchObject({ code: 'passkey.not_found' });
    await expect(passkeys.rename(owner.id, passkey.id, 'Phone', {})).rejects.toMatchObject({ code: 'passkey.name_taken' });
    await expect(passkeys.rename(owner.id, passkey.id, ' ', {})).rejects.toMatchObject({ code: 'passkey.invalid_name' });
    await expect(passkeys.rename(owner.id, passkey.id, 'x'.repeat(65), {})).rejects.toMatchObject({ code: 'passkey.invalid_name' });
    expect((await passkeys.rename(owner.id, passkey.id, 'Laptop', { actor: owner.id })).name).toBe('Laptop');
    await expect(passkeys.remove(stranger, passkey.id, {})).rejects.toMatchObject({ code: 'passkey.not_found' });
    await passkeys.remove(owner, passkey.id, { actor: owner.id });
    expect((await passkeys.list(owner.id)).map((p) => p.name)).toEqual(['Phone']);
    expect((await audit.list({ type: 'passkey.renamed', subject: owner.id }))[0]?.details).toMatchObject({ from: 'Passkey', to: 'Laptop' });
    expect((await audit.list({ type: 'passkey.deleted', subject: owner.id }))[0]?.details).toMatchObject({ name: 'Laptop' });
  });
});
