// The admin API on applications, groups and the audit log in depth: secret rotation that takes
// effect at once, service accounts only a super administrator may take over, bad input and unknown
// ids, an audit log that filters by user, type and date and exports as JSON lines, and a service
// account an operator made with `idp client add-service`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli.js';
import { type AdminApi, adminToken, callAdminApi, serviceAccount, type StaffRole, staffAccounts, FORBIDDEN } from '../support/admin-api.js';
import { createTestDatabase, type TestDatabase, startTestServer, testEnv, type TestServer } from '../support/test-server.js';

const CB = 'https://app.example.com/cb';

let server: TestServer;
let api: Record<StaffRole, AdminApi>;
let n = 0;
const s = () => server.app.services;

beforeAll(async () => {
  server = await startTestServer();
  api = await staffAccounts(server);
});
afterAll(async () => server?.close());

interface AuditEvent {
  type: string;
  actor: string;
  subject: string | null;
  outcome: string;
  at: number;
  ip: string | null;
}

const newApp = async () => (await s().clients.add({ clientId: `app-${++n}`, redirectUris: [CB] })).clientId;

describe('admin API: applications and service accounts', () => {
  it('rotates a service account secret: the old one stops working at once, the new one works', async () => {
    const { clientSecret: old } = await s().clients.addServiceAccount(`bot-${++n}`, 'helpdesk');
    const res = await api.admin.request('POST', `/clients/bot-${n}/secret`);
    expect(res.status).toBe(200);
    const token = await adminToken(server, `bot-${n}`, res.body.clientSecret);
    expect((await callAdminApi(server, token, 'GET', '/users')).status).toBe(200);
    await expect(adminToken(server, `bot-${n}`, old)).rejects.toThrow(/401/);
  });

  it.each([
    ['admin', 'rotate the secret of', 'superadmin', 403, 'POST', '/secret'],
    ['admin', 'rotate the secret of', 'admin', 403, 'POST', '/secret'],
    ['admin', 'delete', 'superadmin', 403, 'DELETE', ''],
    ['admin', 'rotate the secret of', 'helpdesk', 200, 'POST', '/secret'],
    ['superadmin', 'rotate the secret of', 'superadmin', 200, 'POST', '/secret'],
    ['superadmin', 'delete', 'admin', 204, 'DELETE', ''],
  ] as const)('lets %s %s a %s service account: %i', async (role, _, targetRole, status, method, suffix) => {
    const target = await serviceAccount(server, `svc-${++n}`, targetRole);
    const res = await api[role].request(method, `/clients/${target.clientId}${suffix}`);
    expect(res.status).toBe(status);
    // A refused caller learns nothing, and the account keeps working.
    if (status === 403) {
      expect(res.body).toEqual(FORBIDDEN);
      expect((await target.request('GET', '/settings')).status).toBe(200);
    }
  });

  it.each([
    ['a redirect URI that is not a URL', 'POST', () => '/clients', { clientId: 'bad-uri', redirectUris: ['not a url'] }, 400, 'api.invalid'],
    ['an application without redirect URIs', 'POST', () => '/clients', { clientId: 'no-uris', redirectUris: [] }, 400, 'api.invalid'],
    ['an application with an unknown field', 'POST', () => '/clients', { clientId: 'extra', redirectUris: [CB], grantTypes: ['implicit'] }, 400, 'api.invalid'],
    ['a second application with the same id', 'POST', (x: string) => '/clients', { clientId: ':x', redirectUris: [CB] }, 409, 'client.exists'],
    ['a change to a fragment URI', 'PATCH', (x: string) => `/clients/${x}`, { redirectUris: ['https://app.example.com/cb#frag'] }, 400, 'api.invalid'],
    ['a change of an unknown application', 'PATCH', () => '/clients/nothing', { name: 'x' }, 404, 'client.not_found'],
    ['deleting an unknown application', 'DELETE', () => '/clients/nothing', undefined, 404, 'client.not_found'],
    ['a new secret for an unknown application', 'POST', () => '/clients/nothing/secret', undefined, 404, 'client.not_found'],
    ['the rule of an unknown application', 'GET', () => '/clients/nothing/rule', undefined, 404, 'client.not_found'],
    ['a rule for an unknown application', 'PUT', () => '/clients/nothing/rule', { allowedGroups: [], minLevel: 'urn:idp:acr:mfa' }, 404, 'client.not_found'],
    ['a rule naming an unknown group', 'PUT', (x: string) => `/clients/${x}/rule`, { allowedGroups: ['no-such-group'], minLevel: 'urn:idp:acr:mfa' }, 404, 'group.not_found'],
    ['a rule with an unknown level', 'PUT', (x: string) => `/clients/${x}/rule`, { allowedGroups: [], minLevel: 'urn:idp:acr:2fa' }, 400, 'api.invalid'],
    ['a rule without a level', 'PUT', (x: string) => `/clients/${x}/rule`, { allowedGroups: [] }, 400, 'api.invalid'],
    ['deleting the console application', 'DELETE', () => '/clients/idp-console', undefined, 409, 'client.built_in'],
    ['changing the console application', 'PATCH', () => '/clients/idp-console', { redirectUris: [CB] }, 409, 'client.built_in'],
    ['URIs for a service account', 'PATCH', () => '/clients/api-helpdesk', { redirectUris: [CB] }, 400, 'client.invalid'],
  ])('answers %s (%s) with the right error', async (_, method, path, body, status, error) => {
    const x = await newApp();
    const before = await s().clients.list();
    const res = await api.superadmin.request(method, path(x), body && JSON.parse(JSON.stringify(body).replace(':x', x)));
    expect([res.status, res.body.error]).toEqual([status, error]);
    expect(await s().clients.list()).toEqual(before);
    expect(await s().clientRules.get(x)).toEqual({ allowedGroups: [], minLevel: 'urn:idp:acr:mfa' });
  });

  it('creates a public application without a secret, and has no secret to rotate', async () => {
    const res = await api.admin.request('POST', '/clients', { clientId: `spa-${++n}`, redirectUris: [CB], public: true });
    expect([res.status, res.body]).toEqual([201, { clientId: `spa-${n}` }]);
    const rotate = await api.admin.request('POST', `/clients/spa-${n}/secret`);
    expect([rotate.status, rotate.body.error]).toEqual([409, 'client.public_no_secret']);
  });
});

describe('admin API: groups', () => {
  it.each([
    ['a name that is too short', { name: 'x' }, 400, 'group.invalid'],
    ['a name with odd characters', { name: 'ops<script>' }, 400, 'group.invalid'],
    ['no name', { description: 'nameless' }, 400, 'api.invalid'],
    ['a name that is taken', { name: 'Taken' }, 409, 'group.exists'],
  ])('refuses %s', async (_, body, status, error) => {
    if (!(await s().groups.list()).some((g) => g.name === 'Taken')) await s().groups.create('Taken');
    const count = (await s().groups.list()).length;
    const res = await api.admin.request('POST', '/groups', body);
    expect([res.status, res.body.error]).toEqual([status, error]);
    expect(await s().groups.list()).toHaveLength(count);
  });

  it('refuses to delete a group an access rule lets in, naming the application, until the rule changes', async () => {
    const group = await s().groups.create(`Payroll ${++n}`);
    const app = await newApp();
    expect((await api.admin.request('PUT', `/clients/${app}/rule`, { allowedGroups: [group.id], minLevel: 'urn:idp:acr:mfa' })).status).toBe(200);
    const refused = await api.admin.request('DELETE', `/groups/${group.id}`);
    expect([refused.status, refused.body.error]).toEqual([409, 'group.in_use']);
    expect(refused.body.message).toContain(app);
    expect((await s().groups.list()).some((g) => g.id === group.id)).toBe(true);
    expect((await s().clientRules.get(app)).allowedGroups).toEqual([group.id]);
    expect((await api.admin.request('PUT', `/clients/${app}/rule`, { allowedGroups: [], minLevel: 'urn:idp:acr:mfa' })).status).toBe(200);
    expect((await api.admin.request('DELETE', `/groups/${group.id}`)).status).toBe(204);
    expect((await s().groups.list()).some((g) => g.id === group.id)).toBe(false);
  });

  it('answers deleting an unknown group with 404', async () => {
    const res = await api.admin.request('DELETE', '/groups/no-such-group');
    expect([res.status, res.body.error]).toEqual([404, 'group.not_found']);
  });
});

describe('admin API: the audit log', () => {
  it('records who did what to whom, from where, and filters by user, type and date', async () => {
    const started = Date.now();
    const created = await api.admin.request('POST', '/users', { username: `audited${++n}`, email: `audited${n}@example.com` });
    const id = created.body.user.id as string;
    await api.admin.request('POST', `/users/${id}/lock`);
    await api.helpdesk.request('POST', `/users/${id}/unlock`);
    const ended = Date.now();

    const all = await api.helpdesk.request('GET', `/audit?subject=${id}`);
    // Locking also ends the account's sessions: one more event.
    expect(all.body.total).toBe(4);
    const events = all.body.events as AuditEvent[];
    expect(events.map((e) => [e.type, e.actor, e.outcome])).toEqual(
      expect.arrayContaining([
        ['account.unlocked', 'client:api-helpdesk', 'success'],
        ['account.locked', 'client:api-admin', 'success'],
        ['sessions.ended', 'client:api-admin', 'success'],
        ['user.created', 'client:api-admin', 'success'],
      ]),
    );
    // Newest first.
    expect(events.map((e) => e.at)).toEqual(events.map((e) => e.at).sort((a, b) => b - a));
    expect(events.every((e) => /127\.0\.0\.1/.test(e.ip ?? '') && e.subject === id)).toBe(true);

    const count = async (query: string) => (await api.helpdesk.request('GET', `/audit?subject=${id}&${query}`)).body.total as number;
    expect(await count('type=account.locked')).toBe(1);
    expect(await count(`from=${started}&to=${ended}`)).toBe(4);
    expect(await count(`from=${new Date(started).toISOString()}`)).toBe(4);
    expect(await count(`from=${ended + 1}`)).toBe(0);
    expect(await count(`to=${started - 1}`)).toBe(0);
    // A bare date `to` takes in the whole day.
    expect(await count(`from=${new Date(started).toISOString().slice(0, 10)}&to=${new Date(ended).toISOString().slice(0, 10)}`)).toBe(4);

    const page = await api.helpdesk.request('GET', `/audit?subject=${id}&limit=1&offset=1`);
    expect([page.body.total, page.body.events]).toEqual([4, [events[1]]]);
  });

  it('exports the filtered log as JSON lines, oldest first, one object a line', async () => {
    const created = await api.superadmin.request('POST', '/users', { username: `exported${++n}`, email: `exported${n}@example.com` });
    const id = created.body.user.id as string;
    await api.superadmin.request('PATCH', `/users/${id}`, { name: 'Exported Person' });
    await api.superadmin.request('POST', `/users/${id}/disable`);
    const res = await api.helpdesk.request('GET', `/audit/export?subject=${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text.endsWith('\n')).toBe(true);
    const lines = res.text.trimEnd().split('\n');
    const events = lines.map((line) => JSON.parse(line) as { type: string; subject: string; actor: string; at: string });
    expect(events.map((e) => e.type).sort()).toEqual(['sessions.ended', 'user.created', 'user.disabled', 'user.updated']);
    // Oldest first.
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events.every((e) => e.subject === id && e.actor === 'client:api-superadmin' && !Number.isNaN(Date.parse(e.at)))).toBe(true);
  });

  it.each([
    ['a date that is not a date', 'from=yesterday'],
    ['a limit of 0', 'limit=0'],
    ['a limit over 1000', 'limit=5000'],
    ['a negative offset', 'offset=-1'],
  ])('refuses %s with 400', async (_, query) => {
    const res = await api.helpdesk.request('GET', `/audit?${query}`);
    expect([res.status, res.body.error]).toEqual([400, 'api.invalid']);
    const exported = await api.helpdesk.request('GET', `/audit/export?${query.startsWith('from') ? query : 'to=never'}`);
    expect([exported.status, exported.body.error]).toEqual([400, 'api.invalid']);
  });
});

describe('admin API: a service account made with the command line', () => {
  let dir: string;
  let db: TestDatabase;
  let running: TestServer;
  const secretKey = Buffer.alloc(32, 7).toString('base64');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-api-cli-'));
    db = await createTestDatabase(dir);
    running = await startTestServer({ dir, databaseUrl: db.url, env: { SECRET_KEY: secretKey } });
  });
  afterAll(async () => {
    await running?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('works against the running server at once, with the role it was given', async () => {
    const out: string[] = [];
    const env = testEnv(dir, db.url, { SECRET_KEY: secretKey, ISSUER: running.url });
    const code = await runCli(['client', 'add-service', '--id', 'ops-admin', '--role', 'admin', '--json'], { stdin: async () => '', out: (t) => out.push(t), err: (t) => out.push(t) }, env);
    expect(code).toBe(0);
    const { clientSecret } = JSON.parse(out.join('')) as { clientSecret: string };
    const token = await adminToken(running, 'ops-admin', clientSecret);
    expect((await callAdminApi(running, token, 'PATCH', '/settings', { 'pin.ttl': 600 })).status).toBe(200);
    const superUser = await callAdminApi(running, token, 'POST', '/users', { username: 'boss', email: 'boss@example.com', role: 'superadmin' });
    expect([superUser.status, superUser.body.error]).toEqual([403, 'admin.forbidden']);
  });
});
