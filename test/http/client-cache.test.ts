// Client metadata and application rules are cached for a few seconds, because every step of a
// sign-in reads them. A change made through this server must still take effect at once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OidcClientEntity } from '../../src/persistence/entities/oidc-client.entity.js';
import { REDIRECT_URI } from '../support/relying-party.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

/** A token request with a made-up code: 401 invalid_client if the secret is refused, 400 invalid_grant if taken. */
async function tokenEndpoint(clientId: string, secret: string): Promise<{ status: number; error: string }> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT_URI }),
  });
  return { status: res.status, error: ((await res.json()) as { error: string }).error };
}

describe('cached client metadata', () => {
  it('refuses a rotated secret at once and takes the new one', async () => {
    const { clientSecret } = await server.app.services.clients.add({ clientId: 'rotating', redirectUris: [REDIRECT_URI] });
    expect(await tokenEndpoint('rotating', clientSecret!)).toEqual({ status: 400, error: 'invalid_grant' });
    const fresh = await server.app.services.clients.rotateSecret('rotating');
    expect(await tokenEndpoint('rotating', clientSecret!)).toEqual({ status: 401, error: 'invalid_client' });
    expect(await tokenEndpoint('rotating', fresh)).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('forgets a deleted application at once', async () => {
    const { clientSecret } = await server.app.services.clients.add({ clientId: 'leaving', redirectUris: [REDIRECT_URI] });
    expect(await tokenEndpoint('leaving', clientSecret!)).toEqual({ status: 400, error: 'invalid_grant' });
    await server.app.services.clients.delete('leaving');
    expect(await tokenEndpoint('leaving', clientSecret!)).toEqual({ status: 401, error: 'invalid_client' });
  });

  it('does not remember an unknown client: one registered later works at once', async () => {
    expect(await server.app.services.clients.metadataFor('later')).toBeUndefined();
    await server.app.services.clients.add({ clientId: 'later', redirectUris: [REDIRECT_URI], public: true });
    expect((await server.app.services.clients.metadataFor('later'))?.client_id).toBe('later');
  });
});

describe('cached application rules', () => {
  it('applies a changed rule to the next read', async () => {
    const rules = server.app.services.clientRules;
    await server.app.services.clients.add({ clientId: 'ruled', redirectUris: [REDIRECT_URI] });
    expect(await rules.get('ruled')).toEqual({ allowedGroups: [], minLevel: 'urn:idp:acr:mfa' });
    await rules.set('ruled', { allowedGroups: [], minLevel: 'urn:idp:acr:phr' });
    expect(await rules.get('ruled')).toEqual({ allowedGroups: [], minLevel: 'urn:idp:acr:phr' });
  });
});

describe('the built-in console client', () => {
  it('is registered once when servers starting together both find it missing', async () => {
    const clients = server.app.services.clients;
    const register = () => clients.ensureBuiltIn('twice', 'Twice', [`${server.url}/cb`], []);
    await expect(Promise.all([register(), register(), register()])).resolves.toHaveLength(3);
    expect(await server.app.ds.getRepository(OidcClientEntity).countBy({ clientId: 'twice' })).toBe(1);
  });
});
