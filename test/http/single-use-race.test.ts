// A code and a rotated refresh token are single use even when the same one comes twice at once
// (RFC 6749 §4.1.2 and §10.5; RFC 9700 §4.14): oidc-provider looks a token up and marks it used a
// few steps later, so two requests that both looked it up before either marked it would each get
// tokens. Marking it used claims it in the database (adapter.ts), and only one request can. The
// other is answered invalid_grant, and, as for any reuse, the grant is revoked: the tokens the
// first request got stop working too (whichever of the two was the attacker).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { exchange, registerRelyingParty, signInWithPin, startAuthorization, type Authorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('a single-use grant presented twice at once', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;

  /** A signed-in authorization: its code is in the callback URL. */
  async function signIn(): Promise<{ auth: Authorization; callback: string }> {
    const auth = await startAuthorization(rp, { scope: 'openid email offline_access', prompt: 'consent' });
    const seen = smtp.messages.length;
    const callback = await signInWithPin(new UserAgent(), auth, 'iris', 'iris password 1', async () => pinFrom((await smtp.next('iris@example.com', seen)).raw));
    return { auth, callback };
  }

  const basic = () => `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`;
  const tokenRequest = (form: Record<string, string>) =>
    fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, string> }));

  /** Whether the access token is still active, by introspection. */
  const active = async (token: string) => (await oidc.tokenIntrospection(rp.config, token)).active;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start() } });
    await server.app.services.users.create({ username: 'iris', email: 'iris@example.com', password: 'iris password 1' });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it('rotates a refresh token for one request only, and revokes the grant for both', async () => {
    const { auth, callback } = await signIn();
    const first = await exchange(rp, auth, callback);
    const form = { grant_type: 'refresh_token', refresh_token: first.refresh_token! };
    // The account is looked up between reading the token and marking it used: slowed down, all six
    // requests have read the token, unused, before any of them marks it.
    const { users } = server.app.services;
    const findById = users.findById.bind(users);
    users.findById = async (id) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return findById(id);
    };
    let answers;
    try {
      answers = await Promise.all(Array.from({ length: 6 }, () => tokenRequest(form)));
    } finally {
      users.findById = findById;
    }
    const granted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(granted).toHaveLength(1);
    expect(refused).toHaveLength(5);
    for (const a of refused) {
      expect(a.status).toBe(400);
      expect(a.body.error).toBe('invalid_grant');
      expect(JSON.stringify(a.body)).not.toMatch(/access_token|refresh_token/);
    }
    // The grant is gone: no token of this chain works any more.
    for (const a of granted) {
      expect(await active(a.body.access_token!)).toBe(false);
      expect((await tokenRequest({ grant_type: 'refresh_token', refresh_token: a.body.refresh_token! })).status).toBe(400);
    }
    expect(await active(first.access_token)).toBe(false);
    const reuses = (await server.app.services.audit.list({ type: 'grant.reused' })).filter((e) => e.details?.grant === 'RefreshToken');
    expect(reuses).toHaveLength(5);
    expect(reuses[0]).toMatchObject({ outcome: 'failure', clientId: rp.clientId, details: { revoked: true, concurrent: true } });
    expect(reuses[0]!.subject).toBeTruthy();
  });

  it('audits a grant presented again after it was used, which oidc-provider refuses and revokes', async () => {
    const refreshed = await signIn();
    const first = await exchange(rp, refreshed.auth, refreshed.callback);
    const rotated = await oidc.refreshTokenGrant(rp.config, first.refresh_token!);
    await expect(oidc.refreshTokenGrant(rp.config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await active(rotated.access_token)).toBe(false);

    const exchanged = await signIn();
    const tokens = await exchange(rp, exchanged.auth, exchanged.callback);
    const form = { grant_type: 'authorization_code', code: new URL(exchanged.callback).searchParams.get('code')!, redirect_uri: exchanged.auth.url.searchParams.get('redirect_uri')!, code_verifier: exchanged.auth.verifier };
    expect((await tokenRequest(form)).status).toBe(400);
    expect(await active(tokens.access_token)).toBe(false);

    // Audited as oidc-provider tells of the refusal, alongside the answer: looked for until it is there.
    const sequential = async () => (await server.app.services.audit.list({ type: 'grant.reused' })).filter((e) => e.details?.concurrent === false);
    for (const started = Date.now(); (await sequential()).length < 2 && Date.now() - started < 5000; ) await new Promise((resolve) => setTimeout(resolve, 50));
    const reuses = await sequential();
    expect(reuses.map((e) => e.details?.grant).sort()).toEqual(['AuthorizationCode', 'RefreshToken']);
    for (const e of reuses) expect(e).toMatchObject({ outcome: 'failure', clientId: rp.clientId, details: { revoked: true } });
    // The refresh token names its account; the code is gone with its grant by then.
    expect(reuses.find((e) => e.details?.grant === 'RefreshToken')!.subject).toBeTruthy();
  });

  it('exchanges an authorization code for one request only', async () => {
    const { auth, callback } = await signIn();
    const code = new URL(callback).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: auth.url.searchParams.get('redirect_uri')!, code_verifier: auth.verifier };
    const answers = await Promise.all(Array.from({ length: 6 }, () => tokenRequest(form)));
    const granted = answers.filter((a) => a.status === 200);
    expect(granted.length).toBeLessThanOrEqual(1);
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(400);
      expect(a.body.error).toBe('invalid_grant');
    }
    for (const a of granted) expect(await active(a.body.access_token!)).toBe(false);
  });
});
