// The admin API's door: only a client-credentials token with the admin scope, issued here, opens it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Router from '@koa/router';
import { adminApiAuth } from '../../src/admin/admin-api-auth.js';
import { OidcPayloadEntity } from '../../src/persistence/entities/oidc-payload.entity.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const later = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

describe('admin API authentication', () => {
  let server: TestServer;
  let secret: string;
  // The probe route is mounted after start-up, so it is served by a second listener built afterwards.
  let probeServer: Server;
  let probeUrl: string;

  beforeAll(async () => {
    server = await startTestServer();
    const probe = new Router();
    probe.get('/admin/api/whoami', adminApiAuth(server.app.provider), (ctx) => {
      ctx.body = ctx.state.admin;
    });
    server.app.provider.use(probe.routes());
    probeServer = createServer(server.app.provider.callback());
    await new Promise<void>((resolve) => probeServer.listen(0, '127.0.0.1', resolve));
    probeUrl = `http://127.0.0.1:${(probeServer.address() as AddressInfo).port}`;
    ({ clientSecret: secret } = await server.app.services.clients.addServiceAccount('ops-bot', 'helpdesk'));
    await server.app.services.clients.add({ clientId: 'plain-app', redirectUris: ['https://app.example.com/cb'] });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => probeServer?.close(() => resolve()));
    await server?.close();
  });

  async function token(clientId: string, clientSecret: string, scope: string) {
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });
    return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string } };
  }

  it('refuses a token obtained before the service account’s secret was rotated', async () => {
    const { clientSecret } = await server.app.services.clients.addServiceAccount('rotated-bot', 'admin');
    const before = (await token('rotated-bot', clientSecret, 'idp:admin')).body.access_token!;
    const whoami = (t: string) => fetch(`${probeUrl}/admin/api/whoami`, { headers: { authorization: `Bearer ${t}` } });
    expect((await whoami(before)).status).toBe(200);
    const fresh = await server.app.services.clients.rotateSecret('rotated-bot', { actor: 'admin-test' });
    expect((await whoami(before)).status).toBe(401);
    const after = (await token('rotated-bot', fresh, 'idp:admin')).body.access_token!;
    expect((await whoami(after)).status).toBe(200);
    const events = await server.app.services.audit.list({ type: 'client.secret_rotated' });
    expect(events.find((e) => e.clientId === 'rotated-bot')?.details).toEqual({ revokedTokens: 1 });
  });

  it.each(['rotated', 'deleted'] as const)('waits, when an application is %s, for the tokens answered before their rows were written, and removes them', async (change) => {
    // A server of its own: its client service is told to wait for a promise this test settles.
    const own = await startTestServer();
    try {
      const clients = own.app.services.clients;
      await clients.addServiceAccount('waiting-bot', 'admin');
      const written = later();
      clients.waitForIssued(() => written.promise);
      const done = change === 'rotated' ? clients.rotateSecret('waiting-bot') : clients.delete('waiting-bot');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The row of a token answered before the change, committed only now.
      const payloads = own.app.ds.getRepository(OidcPayloadEntity);
      await payloads.insert({ model: 'ClientCredentials', id: 'answered-before', payload: {}, grantId: null, userCode: null, uid: null, accountId: null, clientId: 'waiting-bot', expiresAt: Date.now() + 60_000, consumedAt: null });
      written.resolve();
      await done;
      expect(await payloads.countBy({ clientId: 'waiting-bot' })).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('removes what was issued to an application when it is deleted', async () => {
    const { clientSecret } = await server.app.services.clients.addServiceAccount('leaving-bot', 'helpdesk');
    const issuedToken = (await token('leaving-bot', clientSecret, 'idp:admin')).body.access_token!;
    // Its row is written once a use of it is answered (it may be answered before: adapter.ts).
    expect((await fetch(`${probeUrl}/admin/api/whoami`, { headers: { authorization: `Bearer ${issuedToken}` } })).status).toBe(200);
    const issued = () => server.app.ds.getRepository(OidcPayloadEntity).countBy({ clientId: 'leaving-bot' });
    expect(await issued()).toBe(1);
    await server.app.services.clients.delete('leaving-bot');
    expect(await issued()).toBe(0);
  });

  it('accepts a service account token with the admin scope and names its role', async () => {
    const t = await token('ops-bot', secret, 'idp:admin');
    expect(t.status).toBe(200);
    const res = await fetch(`${probeUrl}/admin/api/whoami`, { headers: { authorization: `Bearer ${t.body.access_token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ actor: 'client:ops-bot', role: 'helpdesk' });
  });

  it.each([
    ['no header', undefined],
    ['a malformed header', 'Basic abc'],
    ['an unknown token', 'Bearer not-a-real-token-value'],
  ])('refuses %s with 401', async (_, authorization) => {
    const res = await fetch(`${probeUrl}/admin/api/whoami`, { headers: authorization ? { authorization } : {} });
    expect(res.status).toBe(401);
    expect((await res.json()) as { error: string }).toMatchObject({ error: 'admin.unauthenticated' });
  });

  it('does not issue the admin scope to an ordinary application', async () => {
    const secretOf = (await server.app.services.clients.list()).find((c) => c.clientId === 'plain-app');
    expect(secretOf).toBeTruthy();
    const t = await token('ops-bot', 'wrong-secret', 'idp:admin');
    expect(t.status).toBe(401);
  });
});
