// The admin API on users: every endpoint for each staff role (help desk, administrator, super
// administrator) with its refusals, role protection, bad input and unknown ids; each allowed action
// shows up in the audit log under the service account that did it. (Password history:
// admin-api-passwords.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { type AdminApi, type ApiResponse, callAdminApi, type StaffRole, staffAccounts, staffRoles, FORBIDDEN } from '../support/admin-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';


let server: TestServer;
let api: Record<StaffRole, AdminApi>;
let n = 0;
const s = () => server.app.services;

beforeAll(async () => {
  server = await startTestServer();
  api = await staffAccounts(server);
});
afterAll(async () => server?.close());

async function person(role: UserEntity['role'] = 'user'): Promise<UserEntity> {
  // Zero-padded, so a search for one never finds another.
  const username = `person${String(++n).padStart(4, '0')}`;
  return s().users.create({ username, email: `${username}@example.com`, password: `${username} password 1`, role });
}

const current = async (id: string) => (await s().users.findById(id))!;
const passwordIs = async (id: string, password: string) => s().hasher.verify((await s().users.passwordHash(id))!, password);

/** The events of one type about one user, read through the API itself. */
async function audited(subject: string, type: string): Promise<Array<{ actor: string; outcome: string; ip: string | null }>> {
  const res = await api.superadmin.request('GET', `/audit?subject=${encodeURIComponent(subject)}&type=${encodeURIComponent(type)}`);
  expect(res.status).toBe(200);
  return res.body.events;
}

describe('admin API: the door', () => {
  it('refuses a call without a token, as JSON, and never caches', async () => {
    const res = await callAdminApi(server, null, 'GET', '/users');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'admin.unauthenticated' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers an allowed call with JSON that is not cached', async () => {
    const res = await api.helpdesk.request('GET', '/users');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['an unknown path', 'GET', '/nothing-here', undefined, 404, 'request.not_found'],
    ['malformed JSON', 'POST', '/users', '{"username": ', 400, 'request.invalid'],
    ['a body over 64 kB', 'POST', '/users', JSON.stringify({ username: 'big', email: 'big@example.com', name: 'x'.repeat(70_000) }), 413, 'request.too_large'],
  ])('answers %s (%s %s) with a JSON error', async (_, method, path, body, status, error) => {
    const res = await api.admin.request(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error });
  });
});

interface Row {
  what: string;
  refused: StaffRole[];
  status: number;
  setup?: (t: UserEntity) => Promise<unknown>;
  call: (t: UserEntity, ctx: unknown) => [string, string, unknown?];
  /** The effect is there exactly when the call was allowed. */
  effect: (t: UserEntity, allowed: boolean, res: ApiResponse, ctx: unknown) => Promise<void>;
  audit?: string;
}

const rows: Row[] = [
  {
    what: 'GET /users?q=',
    refused: [],
    status: 200,
    call: (t) => ['GET', `/users?q=${t.username}&page=1`],
    effect: async (t, _, res) => expect(res.body).toMatchObject({ total: 1, page: 1, users: [{ id: t.id, username: t.username, locked: false }] }),
  },
  {
    what: 'POST /users',
    refused: ['helpdesk'],
    status: 201,
    call: (t) => ['POST', '/users', { username: `${t.username}-new`, email: `${t.username}-new@example.com`, name: 'New Person' }],
    effect: async (t, allowed, res) => {
      const created = await s().users.findByLogin(`${t.username}-new`);
      expect(!!created).toBe(allowed);
      if (allowed) {
        expect(res.body.user).toMatchObject({ id: created!.id, role: 'user', name: 'New Person' });
        expect(await passwordIs(created!.id, res.body.generatedPassword)).toBe(true);
        // Generated for the person, not by them: replaced at the first sign-in.
        expect(created!.temporaryPasswordUntil).toBeGreaterThan(Date.now());
        expect((await audited(created!.id, 'user.created'))[0]).toBeTruthy();
      }
    },
  },
  {
    what: 'GET /users/:id',
    refused: [],
    status: 200,
    call: (t) => ['GET', `/users/${t.id}`],
    effect: async (t, _, res) => expect(res.body).toMatchObject({ id: t.id, email: t.email, status: 'active', groups: [] }),
  },
  {
    what: 'PATCH /users/:id',
    refused: ['helpdesk'],
    status: 200,
    call: (t) => ['PATCH', `/users/${t.id}`, { name: 'Renamed', mobile: '+15550001111' }],
    effect: async (t, allowed, res) => {
      expect((await current(t.id)).name).toBe(allowed ? 'Renamed' : '');
      if (allowed) expect(res.body).toMatchObject({ id: t.id, name: 'Renamed', mobile: '+15550001111' });
    },
    audit: 'user.updated',
  },
  {
    what: 'DELETE /users/:id',
    refused: ['helpdesk'],
    status: 204,
    call: (t) => ['DELETE', `/users/${t.id}`],
    effect: async (t, allowed) => expect(await s().users.findById(t.id)).toEqual(allowed ? null : expect.objectContaining({ id: t.id })),
    audit: 'user.deleted',
  },
  {
    what: 'POST /users/:id/disable',
    refused: ['helpdesk'],
    status: 204,
    call: (t) => ['POST', `/users/${t.id}/disable`],
    effect: async (t, allowed) => expect((await current(t.id)).status).toBe(allowed ? 'disabled' : 'active'),
    audit: 'user.disabled',
  },
  {
    what: 'POST /users/:id/enable',
    refused: ['helpdesk'],
    status: 204,
    setup: (t) => s().userAdmin.setStatus(t.id, 'disabled'),
    call: (t) => ['POST', `/users/${t.id}/enable`],
    effect: async (t, allowed) => expect((await current(t.id)).status).toBe(allowed ? 'active' : 'disabled'),
    audit: 'user.enabled',
  },
  {
    what: 'POST /users/:id/lock',
    refused: ['helpdesk'],
    status: 204,
    call: (t) => ['POST', `/users/${t.id}/lock`],
    effect: async (t, allowed) => expect(s().lockout.isLocked(await current(t.id))).toBe(allowed),
    audit: 'account.locked',
  },
  {
    what: 'POST /users/:id/unlock',
    refused: [],
    status: 204,
    setup: (t) => s().userAdmin.lock(t.id),
    call: (t) => ['POST', `/users/${t.id}/unlock`],
    effect: async (t) => expect(s().lockout.isLocked(await current(t.id))).toBe(false),
    audit: 'account.unlocked',
  },
  {
    what: 'GET /users/:id/sessions',
    refused: [],
    status: 200,
    call: (t) => ['GET', `/users/${t.id}/sessions`],
    effect: async (_, __, res) => expect(res.body).toEqual({ sessions: [] }),
  },
  {
    what: 'POST /users/:id/sign-out',
    refused: [],
    status: 204,
    call: (t) => ['POST', `/users/${t.id}/sign-out`],
    effect: async (t, allowed) => {
      const user = await current(t.id);
      expect(user.sessionsEndedAt !== null).toBe(allowed);
    },
    audit: 'sessions.ended',
  },
  {
    what: 'PUT /users/:id/password',
    refused: ['helpdesk'],
    status: 204,
    call: (t) => ['PUT', `/users/${t.id}/password`, { password: 'a brand new password' }],
    effect: async (t, allowed) => {
      expect(await passwordIs(t.id, 'a brand new password')).toBe(allowed);
      expect(await passwordIs(t.id, `${t.username} password 1`)).toBe(!allowed);
    },
    audit: 'user.password_set',
  },
  {
    what: 'PUT /users/:id/groups',
    refused: ['helpdesk'],
    status: 204,
    setup: () => s().groups.create(`group-${++n}`),
    call: (t, group) => ['PUT', `/users/${t.id}/groups`, { groupIds: [(group as { id: string }).id] }],
    effect: async (t, allowed, _, group) => expect((await s().groups.groupsOf(t.id)).map((g) => g.id)).toEqual(allowed ? [(group as { id: string }).id] : []),
    audit: 'user.groups_changed',
  },
];

describe('admin API: users, by role', () => {
  const cases = rows.flatMap((row) => staffRoles.map((role) => [row.what, role, row] as const));

  it.each(cases)('%s as %s', async (_, role, row) => {
    const target = await person();
    const ctx = await row.setup?.(target);
    const [method, path, body] = row.call(target, ctx);
    const res = await api[role].request(method, path, body);
    const allowed = !row.refused.includes(role);
    if (allowed) expect(res.status).toBe(row.status);
    else expect([res.status, res.body]).toEqual([403, FORBIDDEN]);
    await row.effect(target, allowed, res, ctx);
    if (row.audit) {
      const events = (await audited(target.id, row.audit)).filter((e) => e.actor === `client:${api[role].clientId}`);
      expect(events.map((e) => e.outcome)).toEqual(allowed ? ['success'] : []);
      if (allowed) expect(events[0]!.ip).toMatch(/127\.0\.0\.1/);
    }
  });
});

describe('admin API: administrator accounts are for super administrators', () => {
  type Attempt = [string, StaffRole, (t: UserEntity) => [string, string, unknown?], UserEntity['role'], number];
  const attempts: Attempt[] = [
    ['create an administrator', 'admin', () => ['POST', '/users', { username: `made${++n}`, email: `made${n}@example.com`, role: 'admin' }], 'user', 403],
    ['create a super administrator', 'admin', () => ['POST', '/users', { username: `made${++n}`, email: `made${n}@example.com`, role: 'superadmin' }], 'user', 403],
    ['promote a user to administrator', 'admin', (t) => ['PATCH', `/users/${t.id}`, { role: 'admin' }], 'user', 403],
    ['rename an administrator', 'admin', (t) => ['PATCH', `/users/${t.id}`, { name: 'Demoted' }], 'admin', 403],
    ['demote an administrator', 'admin', (t) => ['PATCH', `/users/${t.id}`, { role: 'user' }], 'admin', 403],
    ['rename a super administrator', 'admin', (t) => ['PATCH', `/users/${t.id}`, { name: 'Someone' }], 'superadmin', 403],
    ['lock a super administrator', 'admin', (t) => ['POST', `/users/${t.id}/lock`], 'superadmin', 403],
    ['sign an administrator out everywhere', 'helpdesk', (t) => ['POST', `/users/${t.id}/sign-out`], 'admin', 403],
    ['disable an administrator', 'admin', (t) => ['POST', `/users/${t.id}/disable`], 'admin', 403],
    ['delete an administrator', 'admin', (t) => ['DELETE', `/users/${t.id}`], 'admin', 403],
    ["set an administrator's password", 'admin', (t) => ['PUT', `/users/${t.id}/password`, { password: 'taken over password' }], 'admin', 403],
    ['promote a user to help desk', 'admin', (t) => ['PATCH', `/users/${t.id}`, { role: 'helpdesk' }], 'user', 200],
    ['create an administrator', 'superadmin', () => ['POST', '/users', { username: `made${++n}`, email: `made${n}@example.com`, role: 'admin' }], 'user', 201],
    ['promote a user to administrator', 'superadmin', (t) => ['PATCH', `/users/${t.id}`, { role: 'admin' }], 'user', 200],
    ["set an administrator's password", 'superadmin', (t) => ['PUT', `/users/${t.id}/password`, { password: 'a reset admin password' }], 'admin', 204],
  ];

  it.each(attempts)('%s as %s', async (_, role, call, targetRole, status) => {
    const target = await person(targetRole);
    const before = await current(target.id);
    const [method, path, body] = call(target);
    const res = await api[role].request(method, path, body);
    expect(res.status).toBe(status);
    if (status === 403) {
      expect(res.body).toEqual(FORBIDDEN);
      expect(await current(target.id)).toEqual(before);
      expect(await passwordIs(target.id, `${target.username} password 1`)).toBe(true);
      if (method === 'POST' && path === '/users') expect(await s().users.findByLogin((body as { username: string }).username)).toBeNull();
    }
  });
});

describe('admin API: bad input and unknown users', () => {
  it.each([
    ['a user without an e-mail', 'POST', () => '/users', { username: 'no-mail' }, 'api.invalid'],
    ['a user with a bad e-mail', 'POST', () => '/users', { username: 'bad-mail', email: 'not an address' }, 'api.invalid'],
    ['a user with an unknown field', 'POST', () => '/users', { username: 'extra', email: 'extra@example.com', admin: true }, 'api.invalid'],
    ['a user with an unknown role', 'POST', () => '/users', { username: 'king', email: 'king@example.com', role: 'king' }, 'api.invalid'],
    ['a page that is not a number', 'GET', () => '/users?page=first', undefined, 'api.invalid'],
    ['page 0', 'GET', () => '/users?page=0', undefined, 'api.invalid'],
    ['an edit of an unknown field', 'PATCH', (t: UserEntity) => `/users/${t.id}`, { username: 'renamed' }, 'user.invalid'],
    ['an edit to a bad mobile number', 'PATCH', (t: UserEntity) => `/users/${t.id}`, { mobile: '0123' }, 'user.invalid'],
    ['a password that is not a string', 'PUT', (t: UserEntity) => `/users/${t.id}/password`, { password: 12345678 }, 'api.invalid'],
    ['a commonly used password', 'PUT', (t: UserEntity) => `/users/${t.id}/password`, { password: 'Password123' }, 'password.common'],
    ['a new user with a commonly used password', 'POST', () => '/users', { username: 'weakling', email: 'weakling@example.com', password: 'iloveyou1' }, 'password.common'],
    ['groups that are not a list', 'PUT', (t: UserEntity) => `/users/${t.id}/groups`, { groupIds: 'everyone' }, 'api.invalid'],
  ])('answers %s with 400', async (_, method, path, body, error) => {
    const t = await person();
    const before = await current(t.id);
    const res = await api.superadmin.request(method, path(t), body);
    expect([res.status, res.body.error]).toEqual([400, error]);
    expect(typeof res.body.message).toBe('string');
    expect(await current(t.id)).toEqual(before);
  });

  it.each([
    ['GET', '/users/no-such-user', undefined, 'user.not_found'],
    ['PATCH', '/users/no-such-user', { name: 'x' }, 'user.not_found'],
    ['DELETE', '/users/no-such-user', undefined, 'user.not_found'],
    ['POST', '/users/no-such-user/lock', undefined, 'user.not_found'],
    ['POST', '/users/no-such-user/unlock', undefined, 'user.not_found'],
    ['POST', '/users/no-such-user/sign-out', undefined, 'user.not_found'],
    ['GET', '/users/no-such-user/sessions', undefined, 'user.not_found'],
    ['PUT', '/users/no-such-user/password', { password: 'long enough password' }, 'user.not_found'],
    ['PUT', '/users/no-such-user/groups', { groupIds: [] }, 'user.not_found'],
    ['PUT', '/users/:known/groups', { groupIds: ['no-such-group'] }, 'group.not_found'],
  ])('answers %s %s with 404', async (method, path, body, error) => {
    const t = await person();
    const res = await api.admin.request(method, path.replace(':known', t.id), body);
    expect([res.status, res.body.error]).toEqual([404, error]);
  });

  it('refuses a second user with the same username', async () => {
    const t = await person();
    const res = await api.admin.request('POST', '/users', { username: t.username, email: 'other@example.com' });
    expect([res.status, res.body.error]).toEqual([409, 'user.exists']);
  });
});
