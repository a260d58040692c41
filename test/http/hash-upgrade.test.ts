// Raising the argon2 parameters reaches existing accounts: a password (or security answer) hashed
// with other parameters still verifies, and once it is proven right it is hashed again with today's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { createViews } from '../../src/http/views.js';
import { CredentialEntity } from '../../src/persistence/entities/credential.entity.js';
import { SecurityAnswerEntity } from '../../src/persistence/entities/security-answer.entity.js';
import { createServices, type Services } from '../../src/services.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const STRONGER = { memoryCost: 47104, timeCost: 1, parallelism: 1 };

describe('argon2 hashes upgraded when proven right', () => {
  let server: TestServer;
  let stronger: Services;

  beforeAll(async () => {
    server = await startTestServer();
    // A second set of services on the same database, configured with stronger parameters (as after
    // an operator raised ARGON2_MEMORY_KIB and restarted).
    stronger = await createServices({ ...server.config, argon2: STRONGER }, server.app.ds, createViews());
  });

  afterAll(async () => {
    await server?.close();
  });

  const before = () => server.app.services;
  /** The cost parameters encoded in a hash, e.g. "m=19456,p=1,t=2" (sorted, whatever order argon2 writes them). */
  const params = (hash: string | null) => hash?.split('$')[3]?.split(',').sort().join(',');
  const rehashEvents = async (subject: string) => (await before().audit.list({ subject, type: 'password.rehashed' })).length;
  const credentialRows = async (userId: string) => (await server.app.ds.query(`SELECT id FROM credentials WHERE user_id = '${userId}'`)).length;

  it('replaces a hash made with other parameters after a correct password, once', async () => {
    const user = await before().users.create({ username: 'ravi', email: 'ravi@example.com', password: 'ravi long password' });
    const oldHash = await before().users.passwordHash(user.id);
    expect(params(oldHash)).toBe('m=19456,p=1,t=2');

    await expect(stronger.passwordLogin.authenticate('ravi', 'ravi long password', { ip: '203.0.113.9' })).resolves.toMatchObject({ id: user.id });
    const newHash = await before().users.passwordHash(user.id);
    expect(params(newHash)).toBe('m=47104,p=1,t=1');
    expect(newHash).not.toBe(oldHash);
    const [event] = await before().audit.list({ subject: user.id, type: 'password.rehashed' });
    expect(event).toMatchObject({ outcome: 'success', ip: '203.0.113.9', details: { from: oldHash!.split('$')[3] } });
    // The same credential, not a new one: the password history and its age are unchanged.
    expect(await credentialRows(user.id)).toBe(1);

    // The new hash works for either configuration; with today's there is nothing more to do.
    await stronger.passwordLogin.authenticate('ravi', 'ravi long password', {});
    expect(await before().users.passwordHash(user.id)).toBe(newHash);
    expect(await rehashEvents(user.id)).toBe(1);
  });

  it('leaves the hash alone when the password is wrong or the account cannot sign in', async () => {
    const user = await before().users.create({ username: 'sana', email: 'sana@example.com', password: 'sana long password' });
    const oldHash = await before().users.passwordHash(user.id);
    await expect(stronger.passwordLogin.authenticate('sana', 'not her password', {})).rejects.toMatchObject({ code: 'login.invalid_credentials' });
    await before().userAdmin.setStatus(user.id, 'disabled', { actor: 'admin-test' });
    await expect(stronger.passwordLogin.authenticate('sana', 'sana long password', {})).rejects.toMatchObject({ code: 'login.invalid_credentials' });
    expect(await before().users.passwordHash(user.id)).toBe(oldHash);
    expect(await rehashEvents(user.id)).toBe(0);
  });

  it('answers for an account with an old, cheap hash no sooner than for an unknown user', async () => {
    const user = await before().users.create({ username: 'uma', email: 'uma@example.com', password: 'uma long password' });
    // Far cheaper than anything the configuration accepts, so a difference would be plain.
    const cheap = await argon2.hash('uma long password', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    await server.app.ds.getRepository(CredentialEntity).update({ userId: user.id }, { secret: cheap });
    const failure = async (login: string) => {
      const start = performance.now();
      await expect(stronger.passwordLogin.authenticate(login, 'not the password', {})).rejects.toMatchObject({ code: 'login.invalid_credentials' });
      return performance.now() - start;
    };
    await failure('nobody-warm-up'); // the dummy hash is made on first use
    // The fastest of three alternating tries of each: a busy machine only ever slows a try down.
    let [unknownUser, known] = [Infinity, Infinity];
    for (let round = 0; round < 3; round++) {
      unknownUser = Math.min(unknownUser, await failure(`nobody-${round}`));
      known = Math.min(known, await failure('uma'));
    }
    expect(known).toBeGreaterThan(unknownUser / 2);
  });

  it('does not undo a password change made meanwhile', async () => {
    const user = await before().users.create({ username: 'tomas', email: 'tomas@example.com', password: 'tomas long password' });
    const oldHash = (await before().users.passwordHash(user.id))!;
    await before().userAdmin.setPassword(user.id, 'tomas changed password', { actor: 'admin-test' });
    const changed = await before().users.passwordHash(user.id);
    expect(await stronger.users.rehashPassword(user.id, oldHash, 'tomas long password')).toBe(false);
    expect(await before().users.passwordHash(user.id)).toBe(changed);
  });

  it('hashes right security answers again, only those that were asked and answered right', async () => {
    const user = await before().users.create({ username: 'vera', email: 'vera@example.com', password: 'vera long password' });
    const entries = [
      { question: 'What was the name of your first pet?', answer: 'Biscuit' },
      { question: 'In what city were you born?', answer: 'Lisbon' },
      { question: 'What was your childhood nickname?', answer: 'Vee' },
    ];
    await before().questions.set(user.id, entries);
    const hashes = async () => new Map((await server.app.ds.getRepository(SecurityAnswerEntity).findBy({ userId: user.id })).map((r) => [r.question, r.answerHash]));
    const old = await hashes();
    const asked = entries.slice(0, 2);

    await expect(stronger.questions.verify(user.id, asked.map((e) => e.question), ['Biscuit', 'Porto'])).rejects.toMatchObject({ code: 'qa.invalid' });
    expect(await hashes()).toEqual(old);

    await stronger.questions.verify(user.id, asked.map((e) => e.question), [' biscuit ', 'LISBON']);
    const now = await hashes();
    for (const { question } of asked) expect(params(now.get(question)!)).toBe('m=47104,p=1,t=1');
    expect(now.get(entries[2]!.question)).toBe(old.get(entries[2]!.question));
    expect((await before().audit.list({ subject: user.id, type: 'qa.rehashed' }))[0]).toMatchObject({ details: { count: 2 } });
    // The new hashes still take the same answers.
    await expect(stronger.questions.verify(user.id, asked.map((e) => e.question), ['Biscuit', 'Lisbon'])).resolves.toBeUndefined();
  });
});
