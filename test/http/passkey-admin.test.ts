// Help desk and administrators on a user's passkeys, through the admin API and the console: list
// them (never a key or a counter), delete one after a confirmation, audited and e-mailed; never the
// account's last way in unless an administrator takes it deliberately, and never the last super
// administrator's, whoever asks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role, UserEntity } from '../../src/persistence/entities/user.entity.js';
import { totpCode } from '../../src/tokens/totp.js';
import { type AdminApi, FORBIDDEN, type StaffRole, staffAccounts, staffRoles } from '../support/admin-api.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { mailText } from '../support/mail-text.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { findForm, type Page, UserAgent } from '../support/user-agent.js';

const LAST_WAY_IN = { error: 'passkey.last_way_in', message: 'This is the last way to complete a sign-in on this account. Add another passkey or soft token first.' };
const LAST_SUPERADMIN = { error: 'admin.last_superadmin', message: 'This would leave no super administrator able to sign in. Create or enable another super administrator first.' };

let server: TestServer;
let smtp: SmtpCapture;
let api: Record<StaffRole, AdminApi>;
let offset = 0;
let n = 0;
const now = () => Date.now() + offset;
const s = () => server.app.services;

beforeAll(async () => {
  smtp = new SmtpCapture();
  server = await startTestServer({ env: { REQUIRE_SOFT_TOKEN: 'true', SMTP_URL: await smtp.start() }, overrides: { clock: { now } } });
  api = await staffAccounts(server, 'pk');
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

/** Registers a passkey for `user` through the service (the ceremony's checks, challenge aside). */
async function givePasskey(user: UserEntity, name: string, authenticator = new SoftAuthenticator(server.url)) {
  const response = authenticator.register(await s().passkeys.registrationOptions(user, new Uint8Array(32)));
  return s().passkeys.register(user, response, { challenge: () => true, requireUserVerification: false }, {}, name);
}

/** A user with a soft token and a passkey, or (`tokenless`) with a passkey only. */
async function holder(tokenless = false, role: Role = 'user') {
  const username = `keyholder${++n}`;
  offset += 30_000;
  const { user, token } = await createEnrolledUser(server, username, now, role);
  if (tokenless) await s().tokenLifecycle.delete(user, token.id, {}, { allowLast: true });
  const passkey = await givePasskey(user, 'Laptop');
  return { user, token, passkey, email: `${username}@example.com` };
}

const auditOf = async (subject: string, type: string) => s().audit.list({ subject, type });
const mailsTo = (address: string, after: number) => smtp.messages.slice(after).filter((m) => m.to.includes(address)).map((m) => mailText(m.raw));

describe('admin API: passkeys', () => {
  it.each(staffRoles)('lists a user’s passkeys for %s, with where they live and never a key or counter', async (role) => {
    const { user, passkey } = await holder();
    await givePasskey(user, 'Key', new SoftAuthenticator(server.url, { aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' }));
    const res = await api[role].request('GET', `/users/${user.id}/passkeys`);
    expect(res.status).toBe(200);
    expect(res.body.passkeys).toEqual([
      { id: passkey.id, name: 'Laptop', createdAt: passkey.createdAt, lastUsedAt: null, device: { kind: 'this-device' }, synced: false, aaguid: passkey.aaguid, transports: ['internal', 'hybrid'] },
      expect.objectContaining({ name: 'Key', device: { name: 'YubiKey 5 Series', kind: 'this-device' } }),
    ]);
    expect(res.text).not.toMatch(/publicKey|credentialId|counter/);
  });

  it('answers 404 for an unknown user, an unknown passkey, or another user’s passkey', async () => {
    const { user, passkey } = await holder();
    const other = await holder();
    expect((await api.helpdesk.request('GET', '/users/no-such-user/passkeys')).status).toBe(404);
    const unknown = await api.helpdesk.request('DELETE', `/users/${user.id}/passkeys/no-such-passkey`);
    expect([unknown.status, unknown.body.error]).toEqual([404, 'passkey.not_found']);
    const foreign = await api.admin.request('DELETE', `/users/${other.user.id}/passkeys/${passkey.id}`);
    expect([foreign.status, foreign.body.error]).toEqual([404, 'passkey.not_found']);
    expect((await s().passkeys.list(user.id)).map((p) => p.id)).toEqual([passkey.id]);
  });

  it('lets help desk delete a lost passkey: 204, audited with the caller, the owner told by e-mail', async () => {
    const { user, passkey, email } = await holder();
    const before = smtp.messages.length;
    const res = await api.helpdesk.request('DELETE', `/users/${user.id}/passkeys/${passkey.id}`);
    expect(res.status).toBe(204);
    expect(await s().passkeys.list(user.id)).toEqual([]);
    expect((await auditOf(user.id, 'passkey.deleted'))[0]).toMatchObject({ actor: 'client:pk-helpdesk', outcome: 'success', details: { passkey: passkey.id, name: 'Laptop' } });
    await smtp.next(email, before);
    expect(mailsTo(email, before).join('\n')).toContain('A passkey was deleted from your account ("Laptop")');
  });

  it('refuses the account’s last way in (409); only an administrator may take it deliberately (?allowLast=true)', async () => {
    const { user, passkey } = await holder(true);
    const refused = await api.helpdesk.request('DELETE', `/users/${user.id}/passkeys/${passkey.id}`);
    expect([refused.status, refused.body]).toEqual([409, LAST_WAY_IN]);
    const helpdesk = await api.helpdesk.request('DELETE', `/users/${user.id}/passkeys/${passkey.id}?allowLast=true`);
    expect([helpdesk.status, helpdesk.body]).toEqual([403, FORBIDDEN]);
    expect((await s().passkeys.list(user.id)).length).toBe(1);
    expect(await auditOf(user.id, 'passkey.deleted')).toEqual([]);

    const taken = await api.admin.request('DELETE', `/users/${user.id}/passkeys/${passkey.id}?allowLast=true`);
    expect(taken.status).toBe(204);
    expect(await s().passkeys.list(user.id)).toEqual([]);
    expect((await auditOf(user.id, 'passkey.deleted'))[0]).toMatchObject({ actor: 'client:pk-admin', details: { allowLast: true } });
  });

  it('keeps the last super administrator a way in, counting passkeys: the token may go while the passkey stays, not both', async () => {
    const root = await holder(false, 'superadmin');
    // The passkey is a way in: the only super administrator's only token may go.
    const token = await api.superadmin.request('DELETE', `/users/${root.user.id}/tokens/${root.token.id}?allowLast=true`);
    expect(token.status).toBe(204);
    const refused = await api.superadmin.request('DELETE', `/users/${root.user.id}/passkeys/${root.passkey.id}?allowLast=true`);
    expect([refused.status, refused.body]).toEqual([409, LAST_SUPERADMIN]);
    expect((await s().passkeys.list(root.user.id)).length).toBe(1);

    // Another super administrator who can sign in (with a passkey only) lets it go.
    await holder(true, 'superadmin');
    const taken = await api.superadmin.request('DELETE', `/users/${root.user.id}/passkeys/${root.passkey.id}?allowLast=true`);
    expect(taken.status).toBe(204);
  });
});

describe('admin console: passkeys', () => {
  async function staff(role: Role): Promise<{ agent: UserAgent; page: Page }> {
    const username = `staff${++n}`;
    offset += 30_000;
    const { secret } = await createEnrolledUser(server, username, now, role);
    offset += 30_000;
    const agent = new UserAgent();
    const login = await agent.follow(await agent.get(`${server.url}/admin/users`));
    const totp = await agent.follow(await agent.submit(login, '/step/password', { login: username, password: `${username} password 1` }));
    const page = await agent.follow(await agent.submit(totp, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, now()) }));
    return { agent, page };
  }

  async function post(agent: UserAgent, from: Page, action: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = findForm(from.html, action);
    return agent.follow(await agent.post(new URL(form.action, from.url).href, { ...form.hidden, ...fields }));
  }

  it('shows help desk a user’s passkeys and deletes one after a confirmation page', async () => {
    const { agent } = await staff('helpdesk');
    const { user, passkey, email } = await holder();
    const detail = await agent.get(`${server.url}/admin/users/${user.id}`);
    expect(detail.html).toContain('<h2 id="passkeys">Passkeys</h2>');
    expect(detail.html).toContain('<td>Laptop</td>');
    expect(detail.html).toContain('<td>This device</td>');
    const link = `/admin/users/${user.id}/passkeys/${passkey.id}/delete`;
    expect(detail.html).toContain(`href="${link}"`);

    const confirm = await agent.get(`${server.url}${link}`);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain(`<h1>Delete the passkey “Laptop” of ${user.username}?</h1>`);
    expect(confirm.html).toContain('What will happen: the passkey no longer signs');
    expect(confirm.html).not.toContain('name="allowLast"');
    expect((await s().passkeys.list(user.id)).length).toBe(1);

    const before = smtp.messages.length;
    const done = await post(agent, confirm, link);
    expect(done.url).toBe(`${server.url}/admin/users/${user.id}#passkeys`);
    expect(done.html).toContain('The passkey was deleted.');
    expect(done.html).toContain('No passkeys. The user adds one at a sign-in or in My Profile.');
    expect((await auditOf(user.id, 'passkey.deleted')).length).toBe(1);
    await smtp.next(email, before);
  });

  it('tells help desk why the last way in cannot go; an administrator may take it by ticking the box', async () => {
    const { user, passkey } = await holder(true);
    const link = `/admin/users/${user.id}/passkeys/${passkey.id}/delete`;
    const helpdesk = await staff('helpdesk');
    const refused = await helpdesk.agent.get(`${server.url}${link}`);
    expect(refused.html).toContain(LAST_WAY_IN.message);
    expect(refused.html).not.toContain('Yes, delete this passkey');
    // The server refuses as the page does, even when asked to take the last one.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(refused.html)![1]!;
    const plain = await helpdesk.agent.follow(await helpdesk.agent.post(`${server.url}${link}`, { _csrf: csrf }));
    expect(plain.html).toContain(LAST_WAY_IN.message);
    const deliberate = await helpdesk.agent.follow(await helpdesk.agent.post(`${server.url}${link}`, { _csrf: csrf, allowLast: 'yes' }));
    expect(deliberate.html).toContain(FORBIDDEN.message);
    expect((await s().passkeys.list(user.id)).length).toBe(1);

    const admin = await staff('admin');
    const confirm = await admin.agent.get(`${server.url}${link}`);
    expect(confirm.html).toContain(LAST_WAY_IN.message);
    expect(confirm.html).toContain('name="allowLast" value="yes"');
    const unticked = await post(admin.agent, confirm, link);
    expect(unticked.html).toContain(LAST_WAY_IN.message);
    const done = await post(admin.agent, confirm, link, { allowLast: 'yes' });
    expect(done.html).toContain('The passkey was deleted. If it was the last way in');
    expect(await s().passkeys.list(user.id)).toEqual([]);
  });
});
