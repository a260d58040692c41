// What the admin API's policy does to real sign-ins: an application's group rule turns away users
// outside its groups, an application that demands a level the account cannot reach is refused with
// the OIDC error, one that asks for one factor takes the password alone, and
// a settings change (PIN length) applies to the very next PIN.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { type AdminApi, type StaffRole, staffAccounts } from '../support/admin-api.js';
import { signInByEmailPin } from '../support/pin-sign-in.js';
import { exchange, isCallback, REDIRECT_URI, type RelyingParty, startAuthorization } from '../support/relying-party.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

const NOT_ALLOWED = 'You are not allowed to use this application. Contact your administrator if you need access.';

describe('admin API: resource rules and settings at sign-in', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let api: Record<StaffRole, AdminApi>;
  let n = 0;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    // REQUIRE_SOFT_TOKEN is false here (the test default): only an application's rule asks for a token.
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), PIN_RESEND_COOLDOWN: '0' } });
    api = await staffAccounts(server);
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  /** An application registered through the API, and its relying party. */
  async function application(clientId: string): Promise<RelyingParty> {
    const res = await api.admin.request('POST', '/clients', { clientId, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: ['http://127.0.0.1:1/bye'] });
    expect(res.status).toBe(201);
    const config = await oidc.discovery(new URL(server.url), clientId, undefined, oidc.ClientSecretBasic(res.body.clientSecret), { execute: [oidc.allowInsecureRequests] });
    return { config, clientId, clientSecret: res.body.clientSecret };
  }

  /**
   * A user created through the API, with no mobile number (PINs go by e-mail), who has since
   * replaced the administrator's temporary password with their own.
   */
  async function user(): Promise<{ id: string; username: string; email: string; password: string }> {
    const username = `member${++n}`;
    const res = await api.admin.request('POST', '/users', { username, email: `${username}@example.com`, password: `${username} long password` });
    expect(res.status).toBe(201);
    const password = `${username} own password`;
    await server.app.services.userAdmin.setPassword(res.body.user.id, password, { actor: res.body.user.id });
    return { id: res.body.user.id, username, email: `${username}@example.com`, password };
  }

  const signIn = async (rp: RelyingParty, u: Awaited<ReturnType<typeof user>>) => {
    const auth = await startAuthorization(rp);
    return { auth, ...(await signInByEmailPin(new UserAgent(), auth, u.username, u.password, u.email, smtp)) };
  };

  it('turns away a user outside the allowed groups with a clear page, and lets a member in', async () => {
    const rp = await application('ledger');
    const group = await api.admin.request('POST', '/groups', { name: 'Finance' });
    const rule = await api.admin.request('PUT', '/clients/ledger/rule', { allowedGroups: [group.body.id], minLevel: 'urn:idp:acr:mfa' });
    expect(rule.body).toEqual({ allowedGroups: [group.body.id], minLevel: 'urn:idp:acr:mfa' });
    const outsider = await user();
    const member = await user();
    expect((await api.helpdesk.request('PUT', `/users/${member.id}/groups`, { groupIds: [group.body.id] })).status).toBe(403);
    expect((await api.admin.request('PUT', `/users/${member.id}/groups`, { groupIds: [group.body.id] })).status).toBe(204);

    const refused = await signIn(rp, outsider);
    expect(refused.afterPassword.status).toBe(403);
    expect(refused.afterPassword.html).toContain(NOT_ALLOWED);
    expect(refused.pin).toBeUndefined();
    expect(smtp.messages.filter((m) => m.to.includes(outsider.email) && m.raw.includes('Subject: Your one-time PIN'))).toHaveLength(0);
    const denied = await api.helpdesk.request('GET', `/audit?subject=${outsider.id}&type=login.denied`);
    expect(denied.body.events).toEqual([expect.objectContaining({ outcome: 'failure', clientId: 'ledger', details: { reason: 'rule' } })]);

    const admitted = await signIn(rp, member);
    expect(isCallback(admitted.afterPin!.url)).toBe(true);
    const tokens = await exchange(rp, admitted.auth, admitted.afterPin!.url);
    expect(tokens.claims()!.sub).toBe(member.id);

    // Opening the application to everyone lets the outsider in too: the rule was what stopped them.
    expect((await api.admin.request('PUT', '/clients/ledger/rule', { allowedGroups: [], minLevel: 'urn:idp:acr:mfa' })).status).toBe(200);
    expect(isCallback((await signIn(rp, outsider)).afterPin!.url)).toBe(true);
  });

  it('ends in unmet_authentication_requirements where the level cannot be reached, and takes the password alone where one factor is the rule', async () => {
    const vault = await application('vault');
    const intranet = await application('intranet');
    expect((await api.admin.request('PUT', '/clients/vault/rule', { allowedGroups: [], minLevel: 'urn:idp:acr:phr' })).status).toBe(200);
    expect((await api.admin.request('PUT', '/clients/intranet/rule', { allowedGroups: [], minLevel: 'urn:idp:acr:1fa' })).status).toBe(200);
    const u = await user();

    // No passkey on the account: a phishing-resistant sign-in is out of reach, and the application is told so.
    const demanding = await signIn(vault, u);
    expect(demanding.afterPin).toBeUndefined();
    const refused = new URL(demanding.afterPassword.url);
    expect(isCallback(refused.href)).toBe(true);
    expect(refused.searchParams.get('error')).toBe('unmet_authentication_requirements');

    // One factor: the password is all this application asks, and the ID token says exactly that.
    const light = await signIn(intranet, u);
    expect(isCallback(light.afterPassword.url)).toBe(true);
    const claims = (await exchange(intranet, light.auth, light.afterPassword.url)).claims()!;
    expect(claims.acr).toBe('urn:idp:acr:1fa');
    expect(claims.amr).toEqual(['pwd']);
  });

  it('sends the next PIN with the length just set, and the default again once it is reset', async () => {
    const rp = await application('pin-length');
    const u = await user();
    const set = await api.admin.request('PATCH', '/settings', { 'pin.length': 8 });
    expect(set.body.settings).toContainEqual(expect.objectContaining({ key: 'pin.length', value: 8, defaultValue: 6, overridden: true }));
    try {
      const long = await signIn(rp, u);
      expect(long.pin).toMatch(/^\d{8}$/);
      expect(isCallback(long.afterPin!.url)).toBe(true);
    } finally {
      expect((await api.admin.request('DELETE', '/settings/pin.length')).status).toBe(204);
    }
    const short = await signIn(rp, u);
    expect(short.pin).toMatch(/^\d{6}$/);
    const changes = await api.helpdesk.request('GET', '/audit?type=settings.changed');
    expect(changes.body.events).toContainEqual(expect.objectContaining({ actor: 'client:api-admin', details: { 'pin.length': { from: 6, to: 8 } } }));
  });
});
