// What a passkey sign-in refuses: a replayed answer, one made for another interaction, on a look-alike
// origin or for another RP ID, a counter that went backwards (audited), a passkey of another account,
// a locked or disabled account; and failures count towards the lockout, passwordless or not.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { enrolledAnswers } from '../support/enrolled-user.js';
import { isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { type Ceremony, passkeyOptionsIn, SoftAuthenticator } from '../support/soft-authenticator.js';
import { TestClock } from '../support/test-clock.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('passkey sign-in failures', () => {
  let server: TestServer;
  let rp: RelyingParty;
  let n = 0;
  const clock = new TestClock();

  beforeAll(async () => {
    server = await startTestServer({ env: { LOCKOUT_THRESHOLD: '3', LOCKOUT_DURATION: '600', IP_FAILURE_LIMIT: '1000' }, overrides: { clock } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  /** A user holding a registered passkey (on `authenticator`). */
  async function userWithPasskey(authenticator = new SoftAuthenticator(server.url)) {
    const s = server.app.services;
    const name = `pkf${++n}`;
    const password = `${name} password 1`;
    const user = await s.users.create({ username: name, email: `${name}@example.com`, password });
    await s.questions.set(user.id, enrolledAnswers);
    const response = authenticator.register(await s.passkeys.registrationOptions(user, new Uint8Array(32)));
    await s.passkeys.register(user, response, { challenge: () => true, requireUserVerification: false }, {});
    return { user, name, password, authenticator };
  }

  /** The first page of a new sign-in, with its passkey options. */
  async function firstPage(agent = new UserAgent()): Promise<{ agent: UserAgent; page: Page; options: PublicKeyCredentialRequestOptionsJSON }> {
    const page = await openLogin(agent, await startAuthorization(rp));
    return { agent, page, options: passkeyOptionsIn(page.html, '/step/passkey') };
  }

  async function answer(agent: UserAgent, page: Page, authenticator: SoftAuthenticator, options: PublicKeyCredentialRequestOptionsJSON, c: Ceremony = {}) {
    return agent.submit(page, '/step/passkey', { action: 'authenticate', response: JSON.stringify(authenticator.authenticate(options, c)) });
  }

  const account = async (user: UserEntity) => (await server.app.services.users.findById(user.id))!;
  const events = (type: string, user: UserEntity) => server.app.services.audit.list({ type, subject: user.id });

  it('a response is good once: replayed in a new sign-in it is refused, even from a synced passkey whose counter stays 0', async () => {
    const { user, authenticator } = await userWithPasskey(new SoftAuthenticator(server.url, { synced: true }));
    const { agent, page, options } = await firstPage();
    const response = JSON.stringify(authenticator.authenticate(options));
    const done = await agent.follow(await agent.submit(page, '/step/passkey', { action: 'authenticate', response }), isCallback);
    expect(isCallback(done.url)).toBe(true);

    const other = await firstPage();
    const replayed = await other.agent.submit(other.page, '/step/passkey', { action: 'authenticate', response });
    expect(replayed.status).toBe(400);
    expect(replayed.html).toContain('This passkey response was already used or has expired');
    expect((await events('passkey.failed', user))[0]?.details).toMatchObject({ reason: 'challenge' });
  });

  it('within one sign-in, an attempt spends the challenge it answered', async () => {
    const { authenticator } = await userWithPasskey();
    const { agent, page, options } = await firstPage();
    const kept = authenticator.authenticate(options, { counter: 50 });
    const failed = await answer(agent, page, authenticator, options, { badSignature: true, counter: 51 });
    expect(failed.html).toContain('The passkey could not be verified');
    const late = await agent.submit(failed, '/step/passkey', { action: 'authenticate', response: JSON.stringify(kept) });
    expect(late.html).toContain('already used or has expired');
    // The page shown after a failure carries a fresh challenge, which works.
    const fresh = await answer(agent, late, authenticator, passkeyOptionsIn(late.html, '/step/passkey'), { counter: 52 });
    expect(isCallback((await agent.follow(fresh, isCallback)).url)).toBe(true);
  });

  it("refuses an answer to another interaction's challenge", async () => {
    const { authenticator } = await userWithPasskey();
    const mine = await firstPage();
    const theirs = await firstPage();
    const refused = await mine.agent.submit(mine.page, '/step/passkey', { action: 'authenticate', response: JSON.stringify(authenticator.authenticate(theirs.options)) });
    expect(refused.html).toContain('already used or has expired');
  });

  it('refuses a challenge older than five minutes, and one whose time was altered', async () => {
    const { authenticator } = await userWithPasskey();
    const { agent, page, options } = await firstPage();
    clock.tick(5 * 60_000 + 1000);
    const late = await answer(agent, page, authenticator, options);
    expect(late.html).toContain('already used or has expired');

    const next = await firstPage();
    const altered = Buffer.from(next.options.challenge, 'base64url');
    altered.writeBigUInt64BE(altered.readBigUInt64BE(0) + 1n);
    const refused = await answer(next.agent, next.page, authenticator, next.options, { challenge: altered.toString('base64url') });
    expect(refused.html).toContain('already used or has expired');
  });

  it.each([
    ['a look-alike origin', { origin: 'https://idp.example.evil' }],
    ['another RP ID', { rpId: 'evil.example' }],
    ['a bad signature', { badSignature: true }],
  ])('refuses %s, audited and counted against the account', async (_, ceremony: Ceremony) => {
    const { user, authenticator } = await userWithPasskey();
    const { agent, page, options } = await firstPage();
    const refused = await answer(agent, page, authenticator, options, ceremony);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('The passkey could not be verified');
    expect((await account(user)).failedLogins).toBe(1);
    expect((await events('passkey.failed', user))[0]?.details).toMatchObject({ reason: 'invalid' });
  });

  it.each([
    ['lower than', 3],
    ['equal to', 5],
  ])('refuses and audits a counter %s the stored one (a cloned authenticator)', async (_, counter) => {
    const { user, authenticator } = await userWithPasskey();
    const first = await firstPage();
    await first.agent.follow(await answer(first.agent, first.page, authenticator, first.options, { counter: 5 }), isCallback);
    const { agent, page, options } = await firstPage();
    const refused = await answer(agent, page, authenticator, options, { counter });
    expect(refused.html).toContain('reported a signature counter lower than before');
    const [event] = await events('passkey.counter_regressed', user);
    expect(event).toMatchObject({ outcome: 'failure', details: { stored: 5, received: counter } });
    expect((await server.app.services.passkeys.list(user.id))[0]!.counter).toBe(5);
    expect((await account(user)).failedLogins).toBe(1);
  });

  it('passwordless failures lock the account; then even a good passkey is refused', async () => {
    const { user, authenticator } = await userWithPasskey();
    for (let i = 0; i < 3; i++) {
      const { agent, page, options } = await firstPage();
      await answer(agent, page, authenticator, options, { origin: 'https://phish.example' });
    }
    const lockedUntil = (await account(user)).lockedUntil;
    expect((await account(user)).lockedAt).not.toBeNull();
    // A wrong answer on the locked account learns nothing of the lock, and does not extend it.
    const wrong = await firstPage();
    const refused = await answer(wrong.agent, wrong.page, authenticator, wrong.options, { origin: 'https://phish.example' });
    expect(refused.html).not.toContain('This account is locked');
    expect((await account(user)).lockedUntil).toBe(lockedUntil);
    const { agent, page, options } = await firstPage();
    const locked = await answer(agent, page, authenticator, options);
    expect(locked.status).toBe(423);
    expect(locked.html).toContain('This account is locked');
  });

  it('as the second factor, a failure counts against the account, and a passkey of another account is not accepted', async () => {
    const { user, name, password, authenticator } = await userWithPasskey();
    const stranger = await userWithPasskey();
    const agent = new UserAgent();
    const page = await agent.follow(await agent.submit(await openLogin(agent, await startAuthorization(rp)), '/step/password', { login: name, password }));
    const options = passkeyOptionsIn(page.html, '/step/passkey');
    const wrong = await answer(agent, page, authenticator, options, { origin: 'https://phish.example' });
    expect(wrong.html).toContain('The passkey could not be verified');
    expect((await account(user)).failedLogins).toBe(1);
    // The other account's authenticator, asked without the allow list (as a hostile page would).
    const foreign = stranger.authenticator.authenticate({ ...passkeyOptionsIn(wrong.html, '/step/passkey'), allowCredentials: [] });
    const refused = await agent.submit(wrong, '/step/passkey', { action: 'authenticate', response: JSON.stringify(foreign) });
    expect(refused.html).toContain('This passkey is not registered with us');
    expect(isCallback(refused.location ?? '')).toBe(false);
  });

  it('refuses an unknown passkey without naming an account, and a disabled account', async () => {
    const unknown = new SoftAuthenticator(server.url);
    unknown.register({ ...(await server.app.services.passkeys.registrationOptions({ id: 'nobody', username: 'nobody', name: '' } as UserEntity, new Uint8Array(32))) });
    const first = await firstPage();
    const refused = await answer(first.agent, first.page, unknown, first.options);
    expect(refused.html).toContain('This passkey is not registered with us');

    const { user, authenticator } = await userWithPasskey();
    await server.app.services.userAdmin.setStatus(user.id, 'disabled');
    const { agent, page, options } = await firstPage();
    const disabled = await answer(agent, page, authenticator, options);
    expect(disabled.html).toContain('The passkey could not be verified');
    expect(isCallback(disabled.location ?? '')).toBe(false);
  });
});
