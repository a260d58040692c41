// The admin API on policy: settings, applications with their secrets and rules, groups and the
// audit log — every endpoint for each staff role with its refusals, and invalid settings that
// change nothing. (Applications, groups and the audit log in depth: admin-api-apps.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AdminApi, type ApiResponse, type StaffRole, staffAccounts, staffRoles, FORBIDDEN } from '../support/admin-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

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
  clientId: string | null;
  outcome: string;
  at: number;
  ip: string | null;
  details: Record<string, unknown>;
}

/** Events of one type that `actor` caused and `match` picks out. */
async function audited(type: string, actor: AdminApi, match: (e: AuditEvent) => boolean = () => true): Promise<AuditEvent[]> {
  const res = await api.superadmin.request<{ events: AuditEvent[] }>('GET', `/audit?type=${type}&limit=1000`);
  return res.body.events.filter((e) => e.actor === `client:${actor.clientId}` && match(e));
}

const newApp = async () => (await s().clients.add({ clientId: `app-${++n}`, redirectUris: [CB] })).clientId;
const newGroup = async () => (await s().groups.create(`group-${++n}`)).id;

interface Row {
  what: string;
  refused: StaffRole[];
  status: number;
  setup?: () => Promise<string>;
  call: (x: string) => [string, string, unknown?];
  effect: (allowed: boolean, res: ApiResponse, x: string) => Promise<void>;
  audit?: [string, (x: string) => (e: AuditEvent) => boolean];
}

const byClient = (x: string) => (e: AuditEvent) => e.clientId === x;

const rows: Row[] = [
  {
    what: 'GET /settings',
    refused: [],
    status: 200,
    call: () => ['GET', '/settings'],
    effect: async (_, res) => expect(res.body.settings).toContainEqual({ key: 'otp.digits', label: 'OTP digits', value: 6, defaultValue: 6, overridden: false }),
  },
  {
    what: 'PATCH /settings',
    refused: ['helpdesk'],
    status: 200,
    call: () => ['PATCH', '/settings', { 'lockout.threshold': 7 }],
    effect: async (allowed, res) => {
      expect(server.config.lockout.threshold).toBe(allowed ? 7 : 5);
      if (allowed) expect(res.body.settings).toContainEqual(expect.objectContaining({ key: 'lockout.threshold', value: 7, overridden: true }));
      await s().settings.reset('lockout.threshold');
    },
    audit: ['settings.changed', () => (e) => JSON.stringify(e.details) === JSON.stringify({ 'lockout.threshold': { from: 5, to: 7 } })],
  },
  {
    what: 'DELETE /settings/:key',
    refused: ['helpdesk'],
    status: 204,
    setup: async () => {
      await s().settings.update({ 'lockout.threshold': 9 });
      return '';
    },
    call: () => ['DELETE', '/settings/lockout.threshold'],
    effect: async (allowed) => {
      expect(server.config.lockout.threshold).toBe(allowed ? 5 : 9);
      await s().settings.reset('lockout.threshold');
    },
    audit: ['settings.reset', () => (e) => e.details.key === 'lockout.threshold'],
  },
  {
    what: 'GET /clients',
    refused: [],
    status: 200,
    setup: newApp,
    call: () => ['GET', '/clients'],
    effect: async (_, res, x) => {
      expect(res.body.clients).toContainEqual(expect.objectContaining({ clientId: x, public: false, serviceAccount: false, redirectUris: [CB], rule: { allowedGroups: [], minLevel: 'urn:idp:acr:mfa' } }));
      // No secret, sealed or not ("client_secret_basic" names a method, not a secret).
      expect(res.text.replace(/"client_secret_basic"/g, '')).not.toMatch(/secret/i);
    },
  },
  {
    what: 'POST /clients',
    refused: ['helpdesk'],
    status: 201,
    setup: async () => `app-${++n}`,
    call: (x) => ['POST', '/clients', { clientId: x, name: 'Shop', redirectUris: [CB], backchannelLogoutUri: 'https://app.example.com/logout' }],
    effect: async (allowed, res, x) => {
      expect(await s().clients.exists(x)).toBe(allowed);
      if (allowed) expect(res.body).toEqual({ clientId: x, clientSecret: expect.stringMatching(/^.{30,}$/) });
    },
    audit: ['client.created', (x) => (e) => e.details.clientId === x],
  },
  {
    what: 'PATCH /clients/:id',
    refused: ['helpdesk'],
    status: 204,
    setup: newApp,
    call: (x) => ['PATCH', `/clients/${x}`, { redirectUris: ['https://new.example.com/cb'], name: 'Renamed' }],
    effect: async (allowed, _, x) => {
      const c = (await s().clients.list()).find((c) => c.clientId === x)!;
      expect([c.redirectUris, c.name]).toEqual(allowed ? [['https://new.example.com/cb'], 'Renamed'] : [[CB], x]);
    },
    audit: ['client.updated', byClient],
  },
  {
    what: 'DELETE /clients/:id',
    refused: ['helpdesk'],
    status: 204,
    setup: newApp,
    call: (x) => ['DELETE', `/clients/${x}`],
    effect: async (allowed, _, x) => expect(await s().clients.exists(x)).toBe(!allowed),
    audit: ['client.deleted', byClient],
  },
  {
    what: 'POST /clients/:id/secret',
    refused: ['helpdesk'],
    status: 200,
    setup: newApp,
    call: (x) => ['POST', `/clients/${x}/secret`],
    effect: async (allowed, res, x) => {
      if (allowed) expect(res.body).toEqual({ clientId: x, clientSecret: expect.stringMatching(/^.{30,}$/) });
    },
    audit: ['client.secret_rotated', byClient],
  },
  {
    what: 'GET /clients/:id/rule',
    refused: [],
    status: 200,
    setup: newApp,
    call: (x) => ['GET', `/clients/${x}/rule`],
    effect: async (_, res) => expect(res.body).toEqual({ allowedGroups: [], minLevel: 'urn:idp:acr:mfa' }),
  },
  {
    what: 'PUT /clients/:id/rule',
    refused: ['helpdesk'],
    status: 200,
    setup: async () => `${await newApp()} ${await newGroup()}`,
    call: (x) => ['PUT', `/clients/${x.split(' ')[0]}/rule`, { allowedGroups: [x.split(' ')[1]], minLevel: 'urn:idp:acr:phr' }],
    effect: async (allowed, res, x) => {
      const [app, group] = x.split(' ');
      const expected = allowed ? { allowedGroups: [group], minLevel: 'urn:idp:acr:phr' } : { allowedGroups: [], minLevel: 'urn:idp:acr:mfa' };
      expect(await s().clientRules.get(app!)).toEqual(expected);
      if (allowed) expect(res.body).toEqual(expected);
    },
    audit: ['client.rule_changed', (x) => byClient(x.split(' ')[0]!)],
  },
  {
    what: 'GET /groups',
    refused: [],
    status: 200,
    setup: newGroup,
    call: () => ['GET', '/groups'],
    effect: async (_, res, x) => expect(res.body.groups).toContainEqual(expect.objectContaining({ id: x, name: expect.stringMatching(/^group-/) })),
  },
  {
    what: 'POST /groups',
    refused: ['helpdesk'],
    status: 201,
    setup: async () => `Team ${++n}`,
    call: (x) => ['POST', '/groups', { name: x, description: 'People on a team' }],
    effect: async (allowed, res, x) => {
      expect((await s().groups.list()).some((g) => g.name === x)).toBe(allowed);
      if (allowed) expect(res.body).toMatchObject({ name: x, description: 'People on a team' });
    },
    audit: ['group.created', (x) => (e) => e.details.group === x],
  },
  {
    what: 'DELETE /groups/:id',
    refused: ['helpdesk'],
    status: 204,
    setup: newGroup,
    call: (x) => ['DELETE', `/groups/${x}`],
    effect: async (allowed, _, x) => expect((await s().groups.list()).some((g) => g.id === x)).toBe(!allowed),
    audit: ['group.deleted', () => () => true],
  },
  {
    what: 'GET /audit',
    refused: [],
    status: 200,
    setup: newGroup,
    call: () => ['GET', '/audit?type=group.created&limit=1'],
    effect: async (_, res, x) => {
      expect(res.body.total).toBeGreaterThanOrEqual(1);
      expect(res.body.events).toEqual([expect.objectContaining({ type: 'group.created', outcome: 'success', details: { group: expect.stringMatching(/^group-/) } })]);
      expect(x).toBeTruthy();
    },
  },
  {
    what: 'GET /audit/export',
    refused: [],
    status: 200,
    call: () => ['GET', '/audit/export?type=client.created'],
    effect: async (_, res) => {
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines.every((l) => l.type === 'client.created')).toBe(true);
    },
  },
];

describe('admin API: policy, by role', () => {
  const cases = rows.flatMap((row) => staffRoles.map((role) => [row.what, role, row] as const));

  it.each(cases)('%s as %s', async (_, role, row) => {
    const x = (await row.setup?.()) ?? '';
    const [method, path, body] = row.call(x);
    const res = await api[role].request(method, path, body);
    const allowed = !row.refused.includes(role);
    if (allowed) expect(res.status).toBe(row.status);
    else expect([res.status, res.body]).toEqual([403, FORBIDDEN]);
    await row.effect(allowed, res, x);
    if (row.audit) {
      const [type, match] = row.audit;
      expect((await audited(type, api[role], match(x))).map((e) => e.outcome)).toEqual(allowed ? ['success'] : []);
    }
  });
});

describe('admin API: invalid settings change nothing', () => {
  it.each([
    ['OTP digits of 7', { 'otp.digits': 7 }, 'otp.digits'],
    ['OTP digits as text', { 'otp.digits': '8' }, 'otp.digits'],
    ['a negative activation lifetime', { 'token.activationTtl': -1 }, 'token.activationTtl'],
    ['a negative PIN lifetime', { 'pin.ttl': -60 }, 'pin.ttl'],
    ['a negative lockout lifetime', { 'lockout.duration': -1 }, 'lockout.duration'],
    ['a fractional lockout threshold', { 'lockout.threshold': 2.5 }, 'lockout.threshold'],
    ['an unknown key', { 'no.such.setting': 1 }, 'no.such.setting'],
    ['one bad value among good ones', { 'pin.length': 8, 'session.ttl': 7200, 'otp.digits': 7 }, 'otp.digits'],
  ])('refuses %s with 400', async (_, patch, key) => {
    const before = (await api.admin.request('GET', '/settings')).body;
    const changes = (await audited('settings.changed', api.admin)).length;
    const res = await api.admin.request('PATCH', '/settings', patch);
    expect([res.status, res.body.error]).toEqual([400, 'settings.invalid']);
    expect(res.body.message).toContain(`Invalid setting ${key}:`);
    expect((await api.admin.request('GET', '/settings')).body).toEqual(before);
    expect(server.config.pin.length).toBe(6);
    expect(await audited('settings.changed', api.admin)).toHaveLength(changes);
  });

  it.each([
    ['a list instead of an object', 'PATCH', '/settings', [1, 2], 'api.invalid'],
    ['resetting an unknown key', 'DELETE', '/settings/no.such.setting', undefined, 'settings.invalid'],
  ])('refuses %s with 400', async (_, method, path, body, error) => {
    const res = await api.admin.request(method, path, body);
    expect([res.status, res.body.error]).toEqual([400, error]);
  });
});
