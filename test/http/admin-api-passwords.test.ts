// The admin API setting passwords: refused when among the last PASSWORD_HISTORY (default 5)
// passwords with "the password was used before", accepted again once out of the history; a history
// of 0 turns the check off; too short is refused. Refusals are audited.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { type AdminApi, type StaffRole, staffAccounts } from '../support/admin-api.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const REUSED = 'The password was used before. Choose a password you have not used recently.';

let server: TestServer;
let api: Record<StaffRole, AdminApi>;
let n = 0;
const s = () => server.app.services;

beforeAll(async () => {
  server = await startTestServer();
  api = await staffAccounts(server);
});
afterAll(async () => server?.close());

async function person(): Promise<UserEntity> {
  const username = `person${++n}`;
  return s().users.create({ username, email: `${username}@example.com`, password: `${username} password 1` });
}

const passwordIs = async (id: string, password: string) => s().hasher.verify((await s().users.passwordHash(id))!, password);

async function audited(subject: string, type: string): Promise<Array<{ actor: string; outcome: string }>> {
  return (await api.superadmin.request('GET', `/audit?subject=${subject}&type=${type}`)).body.events;
}

describe('admin API: password history', () => {
  it('has a history of 5 by default', async () => {
    const res = await api.helpdesk.request('GET', '/settings');
    expect(res.body.settings).toContainEqual(expect.objectContaining({ key: 'password.historyCount', value: 5, defaultValue: 5 }));
  });

  it('refuses the last 5 passwords, accepts the sixth-oldest, and records the refusal', async () => {
    const t = await person();
    const set = (password: string) => api.admin.request('PUT', `/users/${t.id}/password`, { password });
    for (const p of ['second password', 'third password', 'fourth password', 'fifth password']) expect((await set(p)).status).toBe(204);
    for (const old of [`${t.username} password 1`, 'third password', 'fifth password']) {
      const res = await set(old);
      expect([res.status, res.body]).toEqual([400, { error: 'password.reused', message: REUSED }]);
    }
    expect(await passwordIs(t.id, 'fifth password')).toBe(true);
    expect((await set('sixth password')).status).toBe(204);
    // The first password has now left the five the history keeps.
    expect((await set(`${t.username} password 1`)).status).toBe(204);
    const refusals = (await audited(t.id, 'user.password_set')).filter((e) => e.outcome === 'failure');
    expect(refusals).toHaveLength(3);
  });

  it('turns the history off at 0 and back on when the setting is reset', async () => {
    const t = await person();
    const again = () => api.superadmin.request('PUT', `/users/${t.id}/password`, { password: `${t.username} password 1` });
    expect((await again()).body).toMatchObject({ error: 'password.reused' });
    expect((await api.admin.request('PATCH', '/settings', { 'password.historyCount': 0 })).status).toBe(200);
    try {
      expect((await again()).status).toBe(204);
      expect((await again()).status).toBe(204);
    } finally {
      expect((await api.admin.request('DELETE', '/settings/password.historyCount')).status).toBe(204);
    }
    expect((await again()).body).toMatchObject({ error: 'password.reused' });
  });

  it('refuses a password shorter than the minimum', async () => {
    const t = await person();
    const res = await api.admin.request('PUT', `/users/${t.id}/password`, { password: 'short' });
    expect([res.status, res.body.error]).toEqual([400, 'password.too_short']);
    expect(res.body.message).toBe(`The password must be at least ${server.config.password.minLength} characters long.`);
  });
});


describe('admin API: PASSWORD_HISTORY=0 in the environment', () => {
  let off: TestServer;
  let admin: AdminApi;

  beforeAll(async () => {
    off = await startTestServer({ env: { PASSWORD_HISTORY: '0' } });
    admin = (await staffAccounts(off)).admin;
  });
  afterAll(async () => off?.close());

  it('makes 0 the default and lets the current password be set again', async () => {
    const settings = await admin.request('GET', '/settings');
    expect(settings.body.settings).toContainEqual(expect.objectContaining({ key: 'password.historyCount', value: 0, defaultValue: 0 }));
    const u = await off.app.services.users.create({ username: 'repeat', email: 'repeat@example.com', password: 'repeat password 1' });
    for (let i = 0; i < 2; i++) expect((await admin.request('PUT', `/users/${u.id}/password`, { password: 'repeat password 1' })).status).toBe(204);
  });
});
