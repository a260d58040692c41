// Pushed authorization requests (RFC 9126) and DPoP (RFC 9449) through openid-client, each
// requirable per client; a public client's refresh tokens are bound to its DPoP key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { type AdminApi, serviceAccount } from '../support/admin-api.js';
import { CALLBACK, pkce, ProtocolStand } from '../support/protocol-stand.js';
import { UserAgent } from '../support/user-agent.js';

describe('PAR and DPoP', () => {
  let stand: ProtocolStand;
  let admin: AdminApi;
  let user: Awaited<ReturnType<ProtocolStand['user']>>;

  beforeAll(async () => {
    stand = await ProtocolStand.start();
    admin = await serviceAccount(stand.server, 'par-admin', 'admin');
    user = await stand.user('petra');
  });

  afterAll(async () => {
    await stand?.close();
  });

  /** Signs `user` in from `url`; returns the callback URL. */
  async function signIn(url: URL, agent = new UserAgent()) {
    return new URL((await stand.signIn(agent, await agent.follow(await agent.get(url.href)), user)).url);
  }

  it('signs in through a pushed authorization request; a client that requires PAR refuses a plain one', async () => {
    const { config } = await stand.client({ clientId: 'par-app', requirePar: true });
    const p = await pkce();
    const params = { redirect_uri: CALLBACK, scope: 'openid', ...p.params };
    // The redirect URI is registered: the refusal goes back to the application.
    const plain = await new UserAgent().get(oidc.buildAuthorizationUrl(config, params).href);
    const refusal = new URL(plain.location!);
    expect([refusal.origin + refusal.pathname, refusal.searchParams.get('error'), refusal.searchParams.get('error_description')]).toEqual([
      CALLBACK,
      'invalid_request',
      'Pushed Authorization Request must be used',
    ]);

    const url = await oidc.buildAuthorizationUrlWithPAR(config, params);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    // Tokens at rest: the request_uri's reference is stored only under its keyed hash.
    expect(await stand.storedAnywhere(url.searchParams.get('request_uri')!.split(':').pop()!)).toBe(false);
    const tokens = await oidc.authorizationCodeGrant(config, await signIn(url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });
    expect(tokens.claims()!.sub).toBe(user.id);

    // Switched off by an administrator, a plain request is accepted again.
    expect((await admin.request('PATCH', '/clients/par-app', { requirePar: false })).status).toBe(204);
    const again = await new UserAgent().get(oidc.buildAuthorizationUrl(config, { ...params, ...(await pkce()).params }).href);
    expect(again.location).toMatch(/^\/interaction\//);
  });

  it('binds access tokens to the DPoP key of a client that requires DPoP, and refuses it without', async () => {
    const { config } = await stand.client({ clientId: 'dpop-app', requireDpop: true });
    const p = await pkce();
    const callback = await signIn(oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid email', ...p.params }));
    const checks = { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce };
    await expect(oidc.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });

    const p2 = await pkce();
    const callback2 = await signIn(oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid email', ...p2.params }));
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.authorizationCodeGrant(config, callback2, { pkceCodeVerifier: p2.verifier, expectedState: p2.state, expectedNonce: p2.nonce }, undefined, { DPoP });
    expect(tokens.token_type).toBe('dpop');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id, { DPoP });
    expect(info.email).toBe(user.email);
    // Without the key's proof the token is no use.
    await expect(oidc.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toBeDefined();
  });

  it('binds a public client\'s refresh tokens to its DPoP key', async () => {
    const { config } = await stand.client({ clientId: 'dpop-spa', public: true });
    const key = await oidc.randomDPoPKeyPair('ES256');
    const DPoP = oidc.getDPoPHandle(config, key);
    const p = await pkce();
    // PAR with DPoP: the code is bound to the key from the start (dpop_jkt).
    const url = await oidc.buildAuthorizationUrlWithPAR(config, { redirect_uri: CALLBACK, scope: 'openid offline_access', prompt: 'consent', ...p.params }, { DPoP });
    const tokens = await oidc.authorizationCodeGrant(config, await signIn(url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce }, undefined, { DPoP });
    expect(tokens.refresh_token).toBeTruthy();

    const thief = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP: thief })).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: expect.stringMatching(/invalid_grant|invalid_dpop_proof|invalid_request/) });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    expect(refreshed.token_type).toBe('dpop');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });
});
