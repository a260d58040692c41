// The admin console's side of the protocol features: an API (resource server) added and changed on
// its page, an application registered with the device grant and PAR required, then DPoP required
// and ES256 chosen on its form; what the console sets is what oidc-provider enforces.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { ConsoleHarness } from '../support/console-harness.js';
import { UserAgent } from '../support/user-agent.js';

describe('admin console: APIs and protocol requirements', () => {
  let c: ConsoleHarness;

  beforeAll(async () => {
    c = await ConsoleHarness.start();
  });

  afterAll(async () => {
    await c?.close();
  });

  const admin = (username: string) => c.staff(username, 'admin', { path: '/admin/resource-servers' });
  const post = (...args: Parameters<ConsoleHarness['post']>) => c.post(...args);

  it('adds and changes an API, whose credentials then introspect its tokens', async () => {
    const { agent, page } = await admin('ada');
    expect(page.html).toContain('<h1>APIs (resource servers)</h1>');
    const created = await post(agent, page, '/admin/resource-servers', { identifier: 'https://stock.example.com', name: 'Stock', scopes: 'stock:read stock:write', tokenFormat: 'opaque', signingAlg: 'RS256', accessTokenTtl: '300' });
    const clientId = /<h1>Application (\S+)<\/h1>/.exec(created.html)?.[1] ?? '';
    const clientSecret = /id="client-secret">([^<]+)</.exec(created.html)?.[1] ?? '';
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    const list = await agent.get(`${c.url}/admin/resource-servers`);
    const saved = await post(agent, list, `/admin/resource-servers/${encodeURIComponent('https://stock.example.com')}/update`, { name: 'Stock', scopes: 'stock:read', tokenFormat: 'opaque', signingAlg: 'RS256', accessTokenTtl: '600' });
    // Shown in plain units: 600 seconds are 10 minutes.
    expect(saved.html).toMatch(/name="accessTokenTtl"[^>]*value="10"/);
    expect(saved.html).toContain('<option value="minutes" selected>minutes</option>');
    expect(await c.server.app.services.resources.get('https://stock.example.com')).toMatchObject({ scopes: ['stock:read'], accessTokenTtl: 600, clientId });

    const { clientSecret: machineSecret } = await c.server.app.services.clients.add({ clientId: 'stock-robot', grantTypes: ['client_credentials'] });
    const discover = (id: string, secret: string) => oidc.discovery(new URL(c.url), id, undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
    const { access_token: token } = await oidc.clientCredentialsGrant(await discover('stock-robot', machineSecret!), { resource: 'https://stock.example.com', scope: 'stock:read' });
    expect(await oidc.tokenIntrospection(await discover(clientId, clientSecret), token)).toMatchObject({ active: true, scope: 'stock:read' });
  });

  it('registers a device application, and requires PAR, DPoP and ES256 ID tokens of a web application', async () => {
    const { agent } = await admin('bea');
    const clients = await agent.get(`${c.url}/admin/clients`);
    const added = await post(agent, clients, '/admin/clients', { clientId: 'tv-app', name: 'TV', redirectUris: '', postLogoutRedirectUris: '', type: 'public', firstParty: 'yes', grantTypes: 'device_code', idTokenSigningAlg: 'RS256' });
    expect(added.html).toContain('This application has no secret');
    expect(await c.server.app.services.clients.metadataFor('tv-app')).toMatchObject({
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code'],
      response_types: [],
      token_endpoint_auth_method: 'none',
    });
    const device = await fetch(`${c.url}/device/auth`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=tv-app&scope=openid' });
    expect(((await device.json()) as { user_code?: string }).user_code).toBeTruthy();

    await c.server.app.services.clients.add({ clientId: 'web-app', redirectUris: ['http://127.0.0.1:1/cb'] });
    const page = await agent.get(`${c.url}/admin/clients`);
    await post(agent, page, '/admin/clients/web-app/update', { redirectUris: 'http://127.0.0.1:1/cb', postLogoutRedirectUris: '', requirePar: 'yes', requireDpop: 'yes', idTokenSigningAlg: 'ES256' });
    expect(await c.server.app.services.clients.metadataFor('web-app')).toMatchObject({ require_pushed_authorization_requests: true, dpop_bound_access_tokens: true, id_token_signed_response_alg: 'ES256' });
    // oidc-provider enforces what the console set: a plain authorization request is sent back.
    const plain = await new UserAgent().get(`${c.url}/auth?client_id=web-app&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/cb')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    expect(new URL(plain.location!).searchParams.get('error_description')).toBe('Pushed Authorization Request must be used');
  });
});
