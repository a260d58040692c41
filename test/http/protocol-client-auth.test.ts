// private_key_jwt client authentication (RFC 7523) with registered keys or a jwks_uri (reached on
// 127.0.0.1 because the operator allows it), and ID tokens signed with ES256 for a client that
// chooses it, RS256 for the others; all through openid-client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { CALLBACK, pkce, ProtocolStand } from '../support/protocol-stand.js';
import { UserAgent } from '../support/user-agent.js';

describe('client authentication with private keys, and ES256 ID tokens', () => {
  let stand: ProtocolStand;
  let user: Awaited<ReturnType<ProtocolStand['user']>>;
  let jwksServer: Server;
  let served: { keys: object[] } = { keys: [] };

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    stand = await ProtocolStand.start({ OUTBOUND_ALLOWED_HOSTS: '127.0.0.1' });
    user = await stand.user('kira');
  });

  afterAll(async () => {
    await stand?.close();
    await new Promise<void>((resolve) => jwksServer?.close(() => resolve()));
  });

  const keyPair = () => generateKeyPair('ES256', { extractable: true });
  const discover = (clientId: string, auth: oidc.ClientAuth, metadata: Partial<oidc.ClientMetadata> = {}) =>
    oidc.discovery(new URL(stand.url), clientId, metadata, auth, { execute: [oidc.allowInsecureRequests] });

  async function signIn(config: oidc.Configuration) {
    const p = await pkce();
    const agent = new UserAgent();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', ...p.params });
    const callback = await stand.signIn(agent, await agent.follow(await agent.get(url.href)), user);
    return oidc.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });
  }

  it('authenticates an application by a JWT signed with its registered key', async () => {
    const { publicKey, privateKey } = await keyPair();
    const jwk = { ...(await exportJWK(publicKey)), kty: 'EC' as const, kid: 'app-key-1' };
    const { clientSecret } = await stand.services.clients.add({ clientId: 'pk-app', redirectUris: [CALLBACK], authMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
    expect(clientSecret).toBeUndefined();
    const tokens = await signIn(await discover('pk-app', oidc.PrivateKeyJwt({ key: privateKey, kid: 'app-key-1' })));
    expect(tokens.claims()!.sub).toBe(user.id);

    // Another key, or a secret, is not this application.
    const stranger = await keyPair();
    const forged = await discover('pk-app', oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: 'app-key-1' }));
    await expect(oidc.clientCredentialsGrant(forged)).rejects.toMatchObject({ error: 'invalid_client' });
    await expect(oidc.clientCredentialsGrant(await discover('pk-app', oidc.ClientSecretBasic('guess')))).rejects.toMatchObject({ status: 401 });
  });

  it('reads the keys from the application\'s jwks_uri on an allowed private address', async () => {
    const { publicKey, privateKey } = await keyPair();
    served = { keys: [{ ...(await exportJWK(publicKey)), kid: 'rotating-1' }] };
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    await stand.services.clients.add({ clientId: 'pk-machine', grantTypes: ['client_credentials'], authMethod: 'private_key_jwt', jwksUri });
    const tokens = await oidc.clientCredentialsGrant(await discover('pk-machine', oidc.PrivateKeyJwt({ key: privateKey, kid: 'rotating-1' })));
    expect(tokens.access_token).toBeTruthy();
  });

  it('refuses private keys in a registered JWKS, and keys without private_key_jwt', async () => {
    const { privateKey } = await keyPair();
    const secret = await exportJWK(privateKey);
    await expect(stand.services.clients.add({ clientId: 'pk-bad', redirectUris: [CALLBACK], authMethod: 'private_key_jwt', jwks: { keys: [secret as never] } })).rejects.toMatchObject({ code: 'client.invalid' });
    await expect(stand.services.clients.add({ clientId: 'pk-bad', redirectUris: [CALLBACK], jwksUri: 'https://keys.example.com/jwks' })).rejects.toMatchObject({ code: 'client.invalid' });
    await expect(stand.services.clients.add({ clientId: 'pk-bad', redirectUris: [CALLBACK], authMethod: 'private_key_jwt' })).rejects.toMatchObject({ code: 'client.invalid' });
  });

  it('signs ID tokens with ES256 for an application that chooses it, RS256 otherwise', async () => {
    const { clientSecret } = await stand.services.clients.add({ clientId: 'es-app', redirectUris: [CALLBACK], idTokenSigningAlg: 'ES256' });
    const es = await signIn(await discover('es-app', oidc.ClientSecretBasic(clientSecret!), { id_token_signed_response_alg: 'ES256' }));
    expect(decodeProtectedHeader(es.id_token!).alg).toBe('ES256');
    const { payload } = await jwtVerify(es.id_token!, createRemoteJWKSet(new URL(`${stand.url}/jwks`)), { issuer: stand.url, audience: 'es-app' });
    expect(payload.sub).toBe(user.id);

    const rs = await stand.client({ clientId: 'rs-app' });
    expect(decodeProtectedHeader((await signIn(rs.config)).id_token!).alg).toBe('RS256');
    const published = (await (await fetch(`${stand.url}/jwks`)).json()) as { keys: Array<{ kty: string; alg: string; d?: string }> };
    expect(published.keys.map((k) => [k.kty, k.alg])).toEqual([['RSA', 'RS256'], ['EC', 'ES256']]);
    expect(published.keys.some((k) => k.d)).toBe(false);
  });
});
