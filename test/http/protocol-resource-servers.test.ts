// Resource servers (APIs): registered through the admin API and the command line, selected with a
// resource indicator (RFC 8707). JWT access tokens (RFC 9068) verify from the JWKS alone, with the
// sign-in's acr and auth_time; opaque ones are introspected (RFC 7662) by the API's own credentials
// and by nobody else; revocation (RFC 7009) by the application the token was issued to.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { runCli } from '../../src/cli/run-cli.js';
import { OidcPayloadEntity } from '../../src/persistence/entities/oidc-payload.entity.js';
import { type AdminApi, serviceAccount } from '../support/admin-api.js';
import { CALLBACK, pkce, ProtocolStand } from '../support/protocol-stand.js';
import { UserAgent } from '../support/user-agent.js';

const ORDERS = 'https://orders.example.com';
const LEDGER = 'https://ledger.example.com/v1';

describe('resource servers', () => {
  let stand: ProtocolStand;
  let admin: AdminApi;
  let machine: oidc.Configuration;
  let ordersCredentials: { clientId: string; clientSecret: string };
  let ledgerCredentials: { clientId: string; clientSecret: string };

  const asResourceServer = (c: { clientId: string; clientSecret: string }) =>
    oidc.discovery(new URL(stand.url), c.clientId, undefined, oidc.ClientSecretBasic(c.clientSecret), { execute: [oidc.allowInsecureRequests] });
  const verify = (token: string, audience: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${stand.url}/jwks`)), { issuer: stand.url, audience, typ: 'at+jwt' });

  beforeAll(async () => {
    stand = await ProtocolStand.start();
    admin = await serviceAccount(stand.server, 'rs-admin', 'admin');
    const created = await admin.request('POST', '/resource-servers', { identifier: ORDERS, name: 'Orders', scopes: ['orders:read', 'orders:write'], accessTokenTtl: 900 });
    expect(created.status).toBe(201);
    ordersCredentials = created.body;
    // The opaque one from the command line, against the same database.
    const { config } = stand.server;
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: config.dataDir,
      SECRET_KEY: config.secretKey!,
      DATABASE_URL: config.database.type === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url,
    };
    const out: string[] = [];
    const code = await runCli(['resource', 'add', '--identifier', LEDGER, '--name', 'Ledger', '--scope', 'ledger:read', '--format', 'opaque', '--ttl', '600', '--json'], { stdin: async () => '', out: (t) => out.push(t), err: (t) => out.push(t) }, env);
    expect([code, out]).toEqual([0, [expect.stringContaining('"tokenFormat":"opaque"')]]);
    ledgerCredentials = JSON.parse(out[0]!);
    machine = (await stand.client({ clientId: 'rs-machine', grantTypes: ['client_credentials'] })).config;
  });

  afterAll(async () => {
    await stand?.close();
  });

  it('issues a JWT access token for a resource server, verifiable from the JWKS, and stores nothing', async () => {
    const payloads = stand.server.app.ds.getRepository(OidcPayloadEntity);
    const before = await payloads.count();
    const tokens = await oidc.clientCredentialsGrant(machine, { resource: ORDERS, scope: 'orders:read' });
    expect(await payloads.count()).toBe(before);
    const { payload, protectedHeader } = await verify(tokens.access_token, ORDERS);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ aud: ORDERS, scope: 'orders:read', client_id: 'rs-machine', sub: 'rs-machine' });
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(tokens.expires_in).toBe(900);
  });

  it('carries the user, acr and auth_time when a user signs in for the API, and ES256 when the API asks', async () => {
    expect((await admin.request('PATCH', `/resource-servers/${encodeURIComponent(ORDERS)}`, { signingAlg: 'ES256' })).status).toBe(200);
    const user = await stand.user('rhea');
    const { config } = await stand.client({ clientId: 'rs-web' });
    const agent = new UserAgent();
    const p = await pkce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid orders:write', resource: ORDERS, ...p.params });
    const callback = await stand.signIn(agent, await agent.follow(await agent.get(url.href)), user);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce }, { resource: ORDERS });
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('ES256');
    const { payload } = await verify(tokens.access_token, ORDERS);
    const idToken = tokens.claims()!;
    expect(payload).toMatchObject({ sub: user.id, client_id: 'rs-web', scope: 'orders:write', acr: idToken.acr, auth_time: idToken.auth_time });
    expect(payload.acr).toBe('urn:idp:acr:mfa');
    await admin.request('PATCH', `/resource-servers/${encodeURIComponent(ORDERS)}`, { signingAlg: 'RS256' });
  });

  it('lets only the resource server\'s own credentials introspect its opaque tokens', async () => {
    const { access_token: token } = await oidc.clientCredentialsGrant(machine, { resource: LEDGER, scope: 'ledger:read' });
    expect(token.split('.')).toHaveLength(1);
    const ledger = await oidc.tokenIntrospection(await asResourceServer(ledgerCredentials), token);
    expect(ledger).toMatchObject({ active: true, aud: LEDGER, client_id: 'rs-machine', scope: 'ledger:read', token_type: 'Bearer' });
    expect(ledger.exp! - ledger.iat!).toBe(600);
    // Another API's credentials, and the application itself, learn nothing.
    expect(await oidc.tokenIntrospection(await asResourceServer(ordersCredentials), token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(machine, token)).toEqual({ active: false });
  });

  it('revokes a token only for the application it was issued to', async () => {
    const { access_token: token } = await oidc.clientCredentialsGrant(machine, { resource: LEDGER, scope: 'ledger:read' });
    const other = (await stand.client({ clientId: 'rs-other', grantTypes: ['client_credentials'] })).config;
    await expect(oidc.tokenRevocation(other, token)).rejects.toMatchObject({ error: 'invalid_request' });
    const rs = await asResourceServer(ledgerCredentials);
    expect((await oidc.tokenIntrospection(rs, token)).active).toBe(true);
    await oidc.tokenRevocation(machine, token);
    expect((await oidc.tokenIntrospection(rs, token)).active).toBe(false);
  });

  it('refuses an unknown resource, and API tokens to the admin API\'s service accounts', async () => {
    await expect(oidc.clientCredentialsGrant(machine, { resource: 'https://unknown.example.com', scope: 'x' })).rejects.toMatchObject({ error: 'invalid_target' });
    const res = await fetch(`${stand.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`rs-ops:${(await stand.services.clients.addServiceAccount('rs-ops', 'admin')).clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: ORDERS, scope: 'orders:read' }),
    });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([400, 'invalid_target']);
  });

  it('is managed through the admin API: listed, changed, refused to help desk, deleted', async () => {
    const list = await admin.request('GET', '/resource-servers');
    expect(list.body.resourceServers.map((r: { identifier: string }) => r.identifier)).toEqual([LEDGER, ORDERS]);
    const helpdesk = await serviceAccount(stand.server, 'rs-helpdesk', 'helpdesk');
    expect((await helpdesk.request('GET', '/resource-servers')).status).toBe(200);
    expect((await helpdesk.request('POST', '/resource-servers', { identifier: 'https://x.example.com', name: 'X', scopes: ['x'] })).status).toBe(403);
    const invalid = await admin.request('POST', '/resource-servers', { identifier: 'https://x.example.com', name: 'X', scopes: ['openid'] });
    expect([invalid.status, invalid.body.error]).toEqual([400, 'api.invalid']);
    // Its credentials are not an application an administrator edits on its own.
    expect((await admin.request('DELETE', `/clients/${ordersCredentials.clientId}`)).status).toBe(409);

    expect((await admin.request('PATCH', `/resource-servers/${encodeURIComponent(ORDERS)}`, { tokenFormat: 'opaque' })).status).toBe(200);
    const opaque = await oidc.clientCredentialsGrant(machine, { resource: ORDERS, scope: 'orders:read' });
    expect(opaque.access_token.split('.')).toHaveLength(1);

    expect((await admin.request('DELETE', `/resource-servers/${encodeURIComponent(ORDERS)}`)).status).toBe(204);
    await expect(oidc.clientCredentialsGrant(machine, { resource: ORDERS, scope: 'orders:read' })).rejects.toMatchObject({ error: 'invalid_target' });
    expect(await stand.services.clients.exists(ordersCredentials.clientId)).toBe(false);
  });
});
