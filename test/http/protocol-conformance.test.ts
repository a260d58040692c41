// OpenID conformance defects: GET and POST at the authorization and end-session endpoints with the
// session cookie kept SameSite=Lax (the POST is answered by a 303 to a GET of the same endpoint,
// its form sealed), redirect_uri always required, discovery advertising only what works.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { SEALED_PARAM } from '../../src/http/post-as-get.js';
import { CALLBACK, pkce, ProtocolStand } from '../support/protocol-stand.js';
import { TestClock } from '../support/test-clock.js';
import { UserAgent } from '../support/user-agent.js';

describe('protocol conformance', () => {
  let stand: ProtocolStand;
  let app: { config: oidc.Configuration; clientSecret?: string };
  let user: Awaited<ReturnType<ProtocolStand['user']>>;
  const clock = new TestClock();

  beforeAll(async () => {
    stand = await ProtocolStand.start({}, clock);
    user = await stand.user('paula');
    app = await stand.client({ clientId: 'conform-app' });
  });

  afterAll(async () => {
    await stand?.close();
  });

  async function postAuthorization(agent: UserAgent, extra: Record<string, string> = {}) {
    const p = await pkce();
    const form = { client_id: 'conform-app', response_type: 'code', redirect_uri: CALLBACK, scope: 'openid email', ...p.params, ...extra };
    return { p, response: await agent.post(`${stand.url}/auth`, form) };
  }

  it('signs in from an authorization request sent by POST, with the session cookie SameSite=Lax', async () => {
    const agent = new UserAgent();
    const { p, response } = await postAuthorization(agent);
    expect(response.status).toBe(303);
    // The form is re-issued as a GET of the same endpoint, sealed: nothing of it readable in the URL.
    expect(response.location).toMatch(new RegExp(`^/auth\\?${SEALED_PARAM}=[A-Za-z0-9_-]+$`));
    expect(response.location).not.toContain(p.state);
    const login = await agent.follow(response);
    expect(login.html).toContain('/step/password');
    const callback = await stand.signIn(agent, login, user);
    const tokens = await oidc.authorizationCodeGrant(app.config, new URL(callback.url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });
    expect(tokens.claims()!.sub).toBe(user.id);

    const cookie = await fetch(`${stand.url}/auth?client_id=conform-app&response_type=code&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=openid`, { redirect: 'manual' });
    for (const line of cookie.headers.getSetCookie()) expect(line.toLowerCase()).toContain('samesite=lax');
  });

  it('signs out from an end-session request sent by POST, id_token_hint kept out of the URL', async () => {
    const agent = new UserAgent();
    const { p, response } = await postAuthorization(agent);
    const callback = await stand.signIn(agent, await agent.follow(response), user);
    const tokens = await oidc.authorizationCodeGrant(app.config, new URL(callback.url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });

    const logout = await agent.post(`${stand.url}/session/end`, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:1/bye', state: 'bye-state' });
    expect(logout.status).toBe(303);
    expect(logout.location).toMatch(new RegExp(`^/session/end\\?${SEALED_PARAM}=`));
    expect(logout.location).not.toContain(tokens.id_token!.split('.')[1]!.slice(0, 20));
    // The confirmation page is shown only to a signed-in browser: the session cookie came along.
    const confirm = await agent.follow(logout);
    expect(confirm.html).toContain('Yes, sign me out');
    const done = await agent.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.location).toBe('http://127.0.0.1:1/bye?state=bye-state');

    // Signed out: a new authorization request asks for the password again.
    const again = await agent.follow((await postAuthorization(agent)).response);
    expect(again.html).toContain('/step/password');
  });

  it('refuses a sealed request at another endpoint, altered, mixed with other parameters or expired', async () => {
    const agent = new UserAgent();
    const { response } = await postAuthorization(agent);
    const sealed = new URL(response.location!, stand.url).searchParams.get(SEALED_PARAM)!;
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
    for (const url of [`/session/end?${SEALED_PARAM}=${sealed}`, `/auth?${SEALED_PARAM}=${flipped}`, `/auth?${SEALED_PARAM}=${sealed}&prompt=none`]) {
      const page = await agent.get(`${stand.url}${url}`);
      expect([url, page.status]).toEqual([url, 400]);
      expect(page.html).toContain('has expired');
    }
    expect((await agent.get(`${stand.url}/auth?${SEALED_PARAM}=${sealed}`)).status).toBe(303);
    clock.tick(11 * 60 * 1000);
    expect((await agent.get(`${stand.url}/auth?${SEALED_PARAM}=${sealed}`)).status).toBe(400);
  });

  it('refuses a POST that is not a form, or too large for a URL', async () => {
    const json = await fetch(`${stand.url}/auth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' });
    expect(json.status).toBe(415);
    const large = await new UserAgent().post(`${stand.url}/auth`, { client_id: 'conform-app', login_hint: 'x'.repeat(5000) });
    expect(large.status).toBe(413);
  });

  it('requires redirect_uri at the authorization endpoint even for a client with one registered URI', async () => {
    const p = await pkce();
    const query = new URLSearchParams({ client_id: 'conform-app', response_type: 'code', scope: 'openid', ...p.params });
    const page = await new UserAgent().get(`${stand.url}/auth?${query}`);
    expect(page.status).toBe(400);
    expect(page.location).toBeUndefined();
    expect(page.html).toContain('redirect_uri');
  });

  it('requires redirect_uri at the token endpoint', async () => {
    const agent = new UserAgent();
    const { p, response } = await postAuthorization(agent);
    const callback = await stand.signIn(agent, await agent.follow(response), user);
    const code = new URL(callback.url).searchParams.get('code')!;
    const res = await fetch(`${stand.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`conform-app:${app.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: p.verifier }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: "missing required parameter 'redirect_uri'" });
  });

  it('advertises in discovery only what a registered client can use, and each of it works', async () => {
    const meta = app.config.serverMetadata();
    expect(meta.response_types_supported).toEqual(['code']);
    expect([...meta.grant_types_supported!].sort()).toEqual(['authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']);
    expect([...meta.token_endpoint_auth_methods_supported!].sort()).toEqual(['client_secret_basic', 'none', 'private_key_jwt']);
    expect(meta.token_endpoint_auth_signing_alg_values_supported).not.toContain('HS256');
    expect(meta.id_token_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
    expect(meta.request_parameter_supported).toBeUndefined();
    expect(meta).toMatchObject({ pushed_authorization_request_endpoint: `${stand.url}/request`, device_authorization_endpoint: `${stand.url}/device/auth`, introspection_endpoint: `${stand.url}/token/introspection` });
    // Every advertised grant and client authentication method can be registered.
    const jwks = { keys: [{ kty: 'EC' as const, crv: 'P-256', x: 'WKn-ZIGevcwGIyyrzFoZNBdaq9_TsqzGl96oc0CWuis', y: 'y77t-RvAHRKTsSGdIYUfweuOvwrvDD-Q3Hv5J0fSKbE' }] };
    await stand.services.clients.add({ clientId: 'conform-cc', grantTypes: ['client_credentials'] });
    await stand.services.clients.add({ clientId: 'conform-device', public: true, grantTypes: ['device_code', 'refresh_token'] });
    await stand.services.clients.add({ clientId: 'conform-pkjwt', redirectUris: [CALLBACK], authMethod: 'private_key_jwt', jwks });
    const metadata = await Promise.all(['conform-cc', 'conform-device', 'conform-pkjwt'].map((id) => stand.services.clients.metadataFor(id)));
    expect(metadata.map((m) => m!.token_endpoint_auth_method)).toEqual(['client_secret_basic', 'none', 'private_key_jwt']);
    expect(metadata[1]!.grant_types).toEqual(['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
  });
});
