// The last super administrator through the admin API: nobody, not even another super administrator's
// service account, can lock, disable, delete or demote them, or take their only active soft token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { type AdminApi, serviceAccount } from '../support/admin-api.js';
import { createEnrolledUser } from '../support/enrolled-user.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const LAST = {
  error: 'admin.last_superadmin',
  message: 'This would leave no super administrator able to sign in. Create or enable another super administrator first.',
};

describe('admin API: the last super administrator', () => {
  let server: TestServer;
  let api: AdminApi;
  let root: UserEntity;
  let rootToken: string;
  let offset = 0;
  const now = () => Date.now() + offset;
  const s = () => server.app.services;

  beforeAll(async () => {
    server = await startTestServer({ env: { REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now } } });
    api = await serviceAccount(server, 'ops-super', 'superadmin');
    ({ user: root, token: { id: rootToken } } = await createEnrolledUser(server, 'root', now, 'superadmin'));
  });
  afterAll(async () => server?.close());

  /** Everything the refused calls could have changed. */
  const stateOfRoot = async () => ({
    user: await s().users.findById(root.id),
    tokens: (await s().tokens.list(root.id)).map((t) => [t.id, t.state]),
  });

  it.each([
    ['lock', 'POST', '/users/:id/lock', undefined],
    ['disable', 'POST', '/users/:id/disable', undefined],
    ['delete', 'DELETE', '/users/:id', undefined],
    ['demote', 'PATCH', '/users/:id', { role: 'admin' }],
    ['disable the only active token of', 'POST', '/users/:id/tokens/:token/disable', undefined],
    ['disable, even deliberately, the only active token of', 'POST', '/users/:id/tokens/:token/disable?allowLast=true', undefined],
    ['delete the only active token of', 'DELETE', '/users/:id/tokens/:token', undefined],
    ['delete, even deliberately, the only active token of', 'DELETE', '/users/:id/tokens/:token?allowLast=true', undefined],
  ])('refuses to %s the only super administrator (409) and changes nothing', async (_, method, path, body) => {
    const before = await stateOfRoot();
    const res = await api.request(method, path.replace(':id', root.id).replace(':token', rootToken), body);
    expect([res.status, res.body]).toEqual([409, LAST]);
    expect(await stateOfRoot()).toEqual(before);
  });

  it('lets the token go once another super administrator has an active token, and the account once another can sign in', async () => {
    offset += 30_000;
    const other = await createEnrolledUser(server, 'root2', now, 'superadmin');
    const tokenRes = await api.request('DELETE', `/users/${root.id}/tokens/${rootToken}?allowLast=true`);
    expect(tokenRes.status).toBe(204);
    expect(await s().tokens.list(root.id)).toEqual([]);
    const lockRes = await api.request('POST', `/users/${root.id}/lock`);
    expect(lockRes.status).toBe(204);
    // Now root2 is the last one who can sign in.
    const refused = await api.request('POST', `/users/${other.user.id}/disable`);
    expect([refused.status, refused.body]).toEqual([409, LAST]);
    const audit = await api.request('GET', `/audit?subject=${root.id}`);
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['token.deleted', 'account.locked']));
    expect(audit.body.events.every((e: { type: string; outcome: string }) => !(e.type === 'user.disabled' || e.type === 'user.deleted'))).toBe(true);
  });
});
