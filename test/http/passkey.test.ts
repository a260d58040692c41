// Passkeys through the real server and openid-client: registered at the first sign-in beside the soft
// token, then the second factor after the password, or alone (passwordless) from the first page; the
// ID token's acr/amr say which. A software authenticator plays the browser and the passkey.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { enrolledAnswers } from '../support/enrolled-user.js';
import { signInByEmailPin } from '../support/pin-sign-in.js';
import { exchange, isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { passkeyOptionsIn, SoftAuthenticator } from '../support/soft-authenticator.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('passkeys at sign-in', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let n = 0;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), REQUIRE_SOFT_TOKEN: 'true' } });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  /** A user with security questions (so none are asked) and no second factor yet. */
  async function newUser(): Promise<{ user: UserEntity; name: string; password: string }> {
    const name = `pk${++n}`;
    const password = `${name} password 1`;
    const user = await server.app.services.users.create({ username: name, email: `${name}@example.com`, password });
    await server.app.services.questions.set(user.id, enrolledAnswers);
    return { user, name, password };
  }

  /** Registers a passkey for `user` without a sign-in (the service's own ceremony checks, challenge aside). */
  async function givePasskey(user: UserEntity, authenticator: SoftAuthenticator) {
    const s = server.app.services.passkeys;
    const response = authenticator.register(await s.registrationOptions(user, new Uint8Array(32)));
    return s.register(user, response, { challenge: () => true, requireUserVerification: false }, {});
  }

  const claimsOf = async (auth: Awaited<ReturnType<typeof startAuthorization>>, url: string) => (await exchange(rp, auth, url)).claims()!;

  it('serves the browser library and the page script from this origin; pages carry no inline script', async () => {
    for (const path of ['/static/webauthn.js', '/static/passkey.js']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await res.text()).toContain(path.includes('webauthn') ? 'SimpleWebAuthnBrowser' : 'data-passkey');
    }
    const page = await openLogin(new UserAgent(), await startAuthorization(rp));
    expect([...page.html.matchAll(/<script([^>]*)>/g)].map(([, attrs]) => /src="(\/static\/[a-z]+\.js)"/.exec(attrs!)?.[1])).toEqual(['/static/webauthn.js', '/static/passkey.js']);
  });

  it('registers a passkey at the first sign-in (offered first), which adds no proof; later it is the second factor', async () => {
    const { user, name, password } = await newUser();
    const authenticator = new SoftAuthenticator(server.url);
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const { afterPin } = await signInByEmailPin(agent, auth, name, password, `${name}@example.com`, smtp);
    const enrol = afterPin!;
    expect(enrol.html).toContain('Set up a passkey or a soft token');
    expect(enrol.html.indexOf('Create a passkey')).toBeLessThan(enrol.html.indexOf('Authenticator app'));
    const options = passkeyOptionsIn<PublicKeyCredentialCreationOptionsJSON>(enrol.html, '/step/enrol-passkey');
    expect(options).toMatchObject({ rp: { id: '127.0.0.1', name: 'Identity Provider' }, user: { name }, attestation: 'none' });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'preferred' });
    expect(options.excludeCredentials).toEqual([]);

    // Made on a look-alike site: refused, with a fresh ceremony and the way back to the soft token.
    const phished = await agent.submit(enrol, '/step/enrol-passkey', { action: 'register', response: JSON.stringify(authenticator.register(options, { origin: 'https://phish.example' })) });
    expect(phished.status).toBe(400);
    expect(phished.html).toContain('The new passkey could not be registered');
    expect(phished.html).toContain('Set up a soft token instead');
    const retry = passkeyOptionsIn<PublicKeyCredentialCreationOptionsJSON>(phished.html, '/step/enrol-passkey');
    expect(retry.challenge).not.toBe(options.challenge);

    // The first second factor comes with recovery codes, shown once (recovery-codes.test.ts).
    const codes = await agent.follow(await agent.submit(phished, '/step/enrol-passkey', { action: 'register', response: JSON.stringify(authenticator.register(retry)) }));
    expect(codes.html).toContain('Save your recovery codes');
    const registered = await agent.follow(await agent.submit(codes, '/step/recovery-codes', { action: 'saved' }), isCallback);
    const first = await claimsOf(auth, registered.url);
    // Creating a passkey proves nothing about who is signing in now.
    expect(first.amr).toEqual(['pwd', 'mail', 'mfa']);
    expect(first.acr).toBe('urn:idp:acr:mfa');
    const [stored] = await server.app.services.passkeys.list(user.id);
    expect(stored).toMatchObject({ name: 'Passkey', counter: 1, backupEligible: false, backupState: false, aaguid: 'a11ce000-0000-4000-8000-00000000beef', transports: ['internal', 'hybrid'], lastUsedAt: null });
    expect(stored!.credentialId).toBe(authenticator.credentials.at(-1)!.id.toString('base64url'));
    expect((await server.app.services.audit.list({ type: 'passkey.registered', subject: user.id })).length).toBe(1);

    // The next sign-in: password, then the passkey (first, since the account has one); no enrolment.
    const again = new UserAgent();
    const auth2 = await startAuthorization(rp);
    const login = await openLogin(again, auth2);
    const page = await again.follow(await again.submit(login, '/step/password', { login: name, password }));
    expect(page.html).toContain('Use your passkey');
    expect(page.html).toContain('Send me a one-time PIN instead');
    const request = passkeyOptionsIn(page.html, '/step/passkey');
    expect(request.allowCredentials?.map((c) => c.id)).toEqual([stored!.credentialId]);
    expect(request.userVerification).toBe('preferred');
    const done = await again.follow(await again.submit(page, '/step/passkey', { action: 'authenticate', response: JSON.stringify(authenticator.authenticate(request)) }), isCallback);
    const claims = await claimsOf(auth2, done.url);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('urn:idp:acr:phr');
    const used = (await server.app.services.passkeys.list(user.id))[0]!;
    expect(used.counter).toBe(2);
    expect(used.lastUsedAt).not.toBeNull();
  });

  it.each([
    ['a device-bound passkey', false, 'hwk'],
    ['a synced passkey', true, 'swk'],
  ])('signs in with %s alone from the first page: phishing-resistant, two factors', async (_, synced, amr) => {
    const { user } = await newUser();
    const authenticator = new SoftAuthenticator(server.url, { synced });
    await givePasskey(user, authenticator);
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    expect(login.html).toContain('autocomplete="username webauthn"');
    expect(login.html).toMatch(/<form[^>]*action="[^"]*\/step\/passkey"[^>]*data-passkey-autofill/);
    const options = passkeyOptionsIn(login.html, '/step/passkey');
    // Passwordless: the passkey names the account, and must verify its user.
    expect(options.allowCredentials).toBeUndefined();
    expect(options.userVerification).toBe('required');
    const done = await agent.follow(await agent.submit(login, '/step/passkey', { action: 'authenticate', response: JSON.stringify(authenticator.authenticate(options)) }), isCallback);
    expect(isCallback(done.url)).toBe(true);
    const claims = await claimsOf(auth, done.url);
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual([amr, 'user', 'mfa']);
    expect(claims.acr).toBe('urn:idp:acr:phr');
    const [stored] = await server.app.services.passkeys.list(user.id);
    expect(stored!.backupState).toBe(synced);
  });

  it('after the password, the user may take a PIN instead, and come back to the passkey from the PIN page', async () => {
    const { user, name, password } = await newUser();
    const authenticator = new SoftAuthenticator(server.url);
    await givePasskey(user, authenticator);
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const passkeyPage = await agent.follow(await agent.submit(login, '/step/password', { login: name, password }));
    const seen = smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(passkeyPage, '/step/passkey', { action: 'switch', to: 'pin' }));
    expect(pinPage.html).toContain('name="pin"');
    await smtp.next(`${name}@example.com`, seen);
    expect(pinPage.html).toContain('Use your passkey instead');
    const options = passkeyOptionsIn(pinPage.html, '/step/passkey');
    const done = await agent.follow(await agent.submit(pinPage, '/step/passkey', { action: 'authenticate', response: JSON.stringify(authenticator.authenticate(options)) }), isCallback);
    expect((await claimsOf(auth, done.url)).amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
  });

  it('a passkey without user verification still serves as the second factor (amr without user)', async () => {
    const { user, name, password } = await newUser();
    const authenticator = new SoftAuthenticator(server.url);
    await givePasskey(user, authenticator);
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const page = await agent.follow(await agent.submit(await openLogin(agent, auth), '/step/password', { login: name, password }));
    const response = authenticator.authenticate(passkeyOptionsIn(page.html, '/step/passkey'), { userVerified: false });
    const done = await agent.follow(await agent.submit(page, '/step/passkey', { action: 'authenticate', response: JSON.stringify(response) }), isCallback);
    const claims = await claimsOf(auth, done.url);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'mfa']);
    // Still bound to the origin: phishing-resistant.
    expect(claims.acr).toBe('urn:idp:acr:phr');
  });

  it('refuses a passkey alone without user verification, and a press of the button with no answer', async () => {
    const { user } = await newUser();
    const authenticator = new SoftAuthenticator(server.url);
    await givePasskey(user, authenticator);
    const agent = new UserAgent();
    const login = await openLogin(agent, await startAuthorization(rp));
    const response = authenticator.authenticate(passkeyOptionsIn(login.html, '/step/passkey'), { userVerified: false });
    const refused = await agent.submit(login, '/step/passkey', { action: 'authenticate', response: JSON.stringify(response) });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('The passkey could not be verified');
    expect(refused.html).toContain('Sign in with your username and password instead');
    const empty = await agent.submit(refused, '/step/passkey', { action: 'authenticate', response: '' });
    expect(empty.html).toContain('The passkey request was cancelled or timed out');
  });
});
