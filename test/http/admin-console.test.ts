// The admin console in use: staff sign in through the provider with a second factor, then act on
// users, tokens, settings, applications and groups through the pages; every action is audited.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role } from '../../src/persistence/entities/user.entity.js';
import { ConsoleHarness } from '../support/console-harness.js';

describe('admin console', () => {
  let c: ConsoleHarness;

  beforeAll(async () => {
    c = await ConsoleHarness.start();
  });

  afterAll(async () => {
    await c?.close();
  });

  const staff = (username: string, role: Role) => c.staff(username, role);
  const post = (...args: Parameters<ConsoleHarness['post']>) => c.post(...args);

  it('ends a console session when the account’s password changes: the next page asks for a sign-in', async () => {
    const { agent, page, id } = await staff('carla', 'admin');
    expect(page.html).toContain('<h1>Users</h1>');
    await c.server.app.services.userAdmin.setPassword(id, 'carla brand new password', { actor: 'admin-test' });
    const again = await agent.get(`${c.url}/admin/users`);
    expect(again.status).toBe(302);
    expect(again.location).toContain('/auth?');
    expect((await agent.follow(again)).html).toContain('name="password"');
  });

  it('lets a super administrator manage a user end to end', async () => {
    const { agent, page } = await staff('root', 'superadmin');
    expect(page.html).toContain('<h1>Users</h1>');

    const created = await post(agent, await agent.get(`${c.url}/admin/users/new`), '/admin/users', { username: 'zoe', email: 'zoe@example.com', role: 'user' });
    expect(created.html).toMatch(/id="generated-password">[A-Za-z0-9]{20}</);
    const zoe = (await c.server.app.services.users.findByLogin('zoe'))!;
    const detail = await agent.get(`${c.url}/admin/users/${zoe.id}`);
    expect(detail.html).toContain('<caption>Sessions at the provider</caption>');
    expect(detail.html).toContain('Not signed in anywhere.');

    const locked = await post(agent, detail, `/admin/users/${zoe.id}/lock`);
    expect(locked.html).toContain('The account is locked until an administrator unlocks it.');
    const unlocked = await post(agent, locked, `/admin/users/${zoe.id}/unlock`);
    expect(unlocked.html).toContain('The account is unlocked.');
    const signedOut = await post(agent, unlocked, `/admin/users/${zoe.id}/sign-out`, { confirm: 'yes' });
    expect(signedOut.html).toContain('Every session of the account has ended');
    expect((await c.server.app.services.users.findById(zoe.id))!.sessionsEndedAt).not.toBeNull();

    const set = await post(agent, unlocked, `/admin/users/${zoe.id}/password`, { password: 'zoe first password' });
    expect(set.html).toContain('The password was set.');
    expect(set.html).toContain('temporary password, to be replaced by');
    const reused = await post(agent, set, `/admin/users/${zoe.id}/password`, { password: 'zoe first password' });
    expect(reused.html).toContain('The password was used before.');

    const assigned = await post(agent, reused, `/admin/users/${zoe.id}/tokens`, { name: 'Laptop' });
    expect(assigned.html).toContain('The soft token was assigned');
    expect(assigned.html).toContain('Laptop');

    const audit = await agent.get(`${c.url}/admin/audit?subject=${zoe.id}`);
    for (const type of ['user.created', 'account.locked', 'account.unlocked', 'user.password_set', 'token.activation_issued']) expect(audit.html).toContain(type);
    const exported = await agent.get(`${c.url}/admin/audit/export?subject=${zoe.id}`);
    const lines = exported.html.trim().split('\n').map((l) => JSON.parse(l) as { type: string; subject: string });
    expect(lines.every((l) => l.subject === zoe.id)).toBe(true);
    expect(lines.map((l) => l.type)).toContain('user.password_set');
  });

  it('validates settings and applies a valid change at once', async () => {
    const { agent } = await staff('root2', 'superadmin');
    const settings = await agent.get(`${c.url}/admin/settings`);
    const bad = await post(agent, settings, '/admin/settings', { otp__digits: '7' });
    expect(bad.html).toContain('Invalid setting otp.digits');
    expect(c.server.config.tokens.digits).toBe(6);
    const good = await post(agent, bad, '/admin/settings', { pin__length: '8' });
    expect(good.html).toContain('The settings were saved.');
    expect(c.server.config.pin.length).toBe(8);
    await c.server.app.services.settings.reset('pin.length');
  });

  it.each([
    ['helpdesk', '/admin/settings', { pin__length: '8' }],
    ['helpdesk', '/admin/groups', { name: 'ops' }],
  ])('refuses %s a POST to %s', async (role, path, fields) => {
    const { agent } = await staff(`hd-${Math.random().toString(36).slice(2, 8)}`, role as Role);
    const page = await agent.get(`${c.url}${path}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const res = await agent.post(`${c.url}${path}`, { _csrf: csrf, ...fields });
    const shown = await agent.follow(res);
    expect(shown.html).toContain('You do not have permission to do that.');
  });

  it('turns away a user without a staff role', async () => {
    const { page } = await staff('plain', 'user');
    expect(page.status).toBe(403);
    expect(page.html).toContain('You do not have permission to do that.');
  });
});
