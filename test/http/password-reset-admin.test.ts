// The administrator's side of password reset links: a super administrator's console button, the
// admin API for administrators, and help desk refused in both (nothing sent).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { messageFor } from '../../src/errors/messages.js';
import type { Role } from '../../src/persistence/entities/user.entity.js';
import { totpCode } from '../../src/tokens/totp.js';
import { serviceAccount } from '../support/admin-api.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { ResetHarness } from '../support/reset-harness.js';
import { findForm, UserAgent } from '../support/user-agent.js';

let h: ResetHarness;
beforeAll(async () => {
  h = await ResetHarness.start();
});
afterAll(async () => {
  await h?.close();
});
const s = () => h.server.app.services;

describe('password reset link: the administrator side', () => {
  /** A staff member signed in to /admin with password and soft token. */
  async function staff(username: string, role: Role): Promise<UserAgent> {
    const { secret } = await createEnrolledUser(h.server, username, h.now, role);
    h.tick(30_000);
    const agent = new UserAgent();
    const login = await agent.follow(await agent.get(`${h.server.url}/admin/users`));
    const totp = await agent.follow(await agent.submit(login, '/step/password', { login: username, password: `${username} password 1` }));
    const page = await agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, h.now()) }));
    expect(page.html).toContain('<h1>Users</h1>');
    return agent;
  }

  it("sends the e-mail from a super administrator's button, with a notice and an audit event", async () => {
    const p = await h.person();
    const agent = await staff('root', 'superadmin');
    const detail = await agent.get(`${h.server.url}/admin/users/${p.user.id}`);
    const form = findForm(detail.html, `/admin/users/${p.user.id}/reset-link`);
    expect(detail.html).toContain('Send password reset link');
    const seen = h.smtp.messages.length;
    const shown = await agent.follow(await agent.post(new URL(form.action, detail.url).href, form.hidden));
    expect(shown.html).toContain(messageFor('admin.reset_link_sent'));
    const link = await h.linkFrom(p.user.email, seen);
    expect((await new UserAgent().get(link)).status).toBe(200);
    const root = (await s().users.findByLogin('root'))!;
    const [event] = await s().audit.list({ subject: p.user.id, type: 'password.reset_link_sent' });
    expect(event?.actor).toBe(root.id);
  });

  it('refuses help desk, in the console and in the API, and sends nothing', async () => {
    const p = await h.person();
    const agent = await staff('desk', 'helpdesk');
    const detail = await agent.get(`${h.server.url}/admin/users/${p.user.id}`);
    expect(detail.html).not.toContain('reset-link');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(detail.html)![1]!;
    const seen = h.smtp.messages.length;
    const shown = await agent.follow(await agent.post(`${h.server.url}/admin/users/${p.user.id}/reset-link`, { _csrf: csrf }));
    expect(shown.html).toContain(messageFor('admin.forbidden'));

    const desk = await serviceAccount(h.server, 'reset-helpdesk', 'helpdesk');
    const refused = await desk.request('POST', `/users/${p.user.id}/reset-link`);
    expect(refused.status).toBe(403);
    expect(h.smtp.messages.slice(seen).filter((m) => m.to.includes(p.user.email))).toHaveLength(0);
    expect(await s().audit.list({ subject: p.user.id, type: 'password.reset_link_sent' })).toHaveLength(0);
  });

  it('sends the link through the admin API for an administrator', async () => {
    const p = await h.person();
    const admin = await serviceAccount(h.server, 'reset-admin', 'admin');
    const seen = h.smtp.messages.length;
    const res = await admin.request('POST', `/users/${p.user.id}/reset-link`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ expiresAt: expect.any(Number) });
    expect((await new UserAgent().get(await h.linkFrom(p.user.email, seen))).status).toBe(200);
  });
});
