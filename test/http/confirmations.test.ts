// Destructive actions ask first: a form sent without confirm=yes changes nothing and answers with a page
// that says what will happen, the same form to send again and a way back; confirmed, the action happens
// (users, tokens, applications, APIs, groups; sessions ended everywhere).
// The console's own application cannot be deleted or changed at all.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CONSOLE_CLIENT_ID } from '../../src/console/console-client.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { PortalHarness } from '../support/portal-harness.js';
import { findForm, type Page, UserAgent } from '../support/user-agent.js';

describe('confirmations before destructive actions', () => {
  let p: PortalHarness;
  let n = 0;

  beforeAll(async () => {
    p = await PortalHarness.start();
  });

  afterAll(async () => p?.close());

  const s = () => p.server.app.services;
  const url = (path: string) => `${p.server.url}${path}`;

  async function staff(): Promise<{ agent: UserAgent; page: Page }> {
    const name = `root${++n}`;
    const { secret } = await createEnrolledUser(p.server, name, p.now, 'superadmin');
    const agent = new UserAgent();
    const page = await p.signIn(agent, name, secret, url('/admin/users'));
    expect(page.html).toContain('<h1>Users</h1>');
    return { agent, page };
  }

  /** A confirmation page: its heading, what will happen, a form re-posting with confirm=yes, and a way back. */
  function expectConfirmation(page: Page, action: string, heading: string, what: RegExp, back: string): void {
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<h1>${heading}</h1>`);
    expect(page.html).toMatch(what);
    const form = findForm(page.html, action);
    expect(form.hidden.confirm).toBe('yes');
    expect(page.html).toContain(`href="${back}"`);
  }

  describe('the console', () => {
    it('deletes a user only once confirmed', async () => {
      const { agent } = await staff();
      const { user } = await createEnrolledUser(p.server, `victim${++n}`, p.now);
      const detail = await agent.get(url(`/admin/users/${user.id}`));
      const asked = await p.post(agent, detail, `/admin/users/${user.id}/delete`);
      expectConfirmation(asked, `/admin/users/${user.id}/delete`, `Delete the user ${user.username}?`, /cannot be undone/, `/admin/users/${user.id}`);
      expect(await s().users.findById(user.id)).not.toBeNull();
      const done = await p.post(agent, asked, `/admin/users/${user.id}/delete`);
      expect(done.html).toContain('The user was deleted.');
      expect(await s().users.findById(user.id)).toBeNull();
    });

    it('signs a user out everywhere only once confirmed', async () => {
      const { agent } = await staff();
      const { user } = await createEnrolledUser(p.server, `victim${++n}`, p.now);
      const detail = await agent.get(url(`/admin/users/${user.id}`));
      const asked = await p.post(agent, detail, `/admin/users/${user.id}/sign-out`);
      expectConfirmation(asked, `/admin/users/${user.id}/sign-out`, `Sign ${user.username} out everywhere?`, /Every session of .* ends at once/, `/admin/users/${user.id}`);
      expect((await s().users.findById(user.id))!.sessionsEndedAt).toBeNull();
      const done = await p.post(agent, asked, `/admin/users/${user.id}/sign-out`);
      expect(done.html).toContain('Every session of the account has ended');
      expect((await s().users.findById(user.id))!.sessionsEndedAt).not.toBeNull();
    });

    it('reactivates a working token only once confirmed', async () => {
      const { agent } = await staff();
      const { user, token } = await createEnrolledUser(p.server, `victim${++n}`, p.now);
      const detail = await agent.get(url(`/admin/users/${user.id}`));
      const action = `/admin/users/${user.id}/tokens/${token.id}/reactivate`;
      const asked = await p.post(agent, detail, action);
      expectConfirmation(asked, action, `Reactivate the soft token “${token.name}” of ${user.username}?`, /secret stops working at once/, `/admin/users/${user.id}`);
      expect((await s().tokens.list(user.id))[0]!.state).toBe('active');
      const done = await p.post(agent, asked, action);
      expect(done.html).toContain('The soft token was reactivated');
      expect((await s().tokens.list(user.id))[0]!.state).not.toBe('active');
    });

    it('deletes a token only once confirmed, keeping the form’s own choices', async () => {
      const { agent } = await staff();
      const { user, token } = await createEnrolledUser(p.server, `victim${++n}`, p.now);
      const detail = await agent.get(url(`/admin/users/${user.id}`));
      const action = `/admin/users/${user.id}/tokens/${token.id}/delete`;
      const asked = await p.post(agent, detail, action, { allowLast: 'yes' });
      expectConfirmation(asked, action, `Delete the soft token “${token.name}” of ${user.username}?`, /cannot be brought back/, `/admin/users/${user.id}`);
      expect(findForm(asked.html, action).hidden.allowLast).toBe('yes');
      expect(await s().tokens.list(user.id)).toHaveLength(1);
      const done = await p.post(agent, asked, action);
      expect(done.html).toContain('The soft token was deleted.');
      expect(await s().tokens.list(user.id)).toHaveLength(0);
    });

    it('deletes an application only once confirmed', async () => {
      const { agent } = await staff();
      await s().clients.add({ clientId: 'doomed-app', redirectUris: ['https://doomed.example.com/cb'], postLogoutRedirectUris: [], public: false, firstParty: false });
      const list = await agent.get(url('/admin/clients'));
      const asked = await p.post(agent, list, '/admin/clients/doomed-app/delete');
      expectConfirmation(asked, '/admin/clients/doomed-app/delete', 'Delete the application doomed-app?', /Nobody can sign in to doomed-app/, '/admin/clients');
      expect(await s().clients.exists('doomed-app')).toBe(true);
      const done = await p.post(agent, asked, '/admin/clients/doomed-app/delete');
      expect(done.html).toContain('Done.');
      expect(await s().clients.exists('doomed-app')).toBe(false);
    });

    it('deletes an API only once confirmed', async () => {
      const { agent } = await staff();
      const identifier = 'https://doomed-api.example.com';
      const { clientId } = await s().resources.add({ identifier, name: 'Doomed API', scopes: ['doomed:read'] });
      const action = `/admin/resource-servers/${encodeURIComponent(identifier)}/delete`;
      const list = await agent.get(url('/admin/resource-servers'));
      const asked = await p.post(agent, list, action);
      expectConfirmation(asked, action, 'Delete the API Doomed API?', new RegExp(`can no longer get access tokens for ${identifier}.*\\(${clientId}\\) stop working`), '/admin/resource-servers');
      expect((await s().resources.list()).some((r) => r.identifier === identifier)).toBe(true);
      const done = await p.post(agent, asked, action);
      expect(done.html).toContain('Done.');
      expect((await s().resources.list()).some((r) => r.identifier === identifier)).toBe(false);
    });

    it('deletes a group only once confirmed; a group an access rule names is refused unasked', async () => {
      const { agent } = await staff();
      const doomed = await s().groups.create(`doomed-group-${++n}`);
      const action = `/admin/groups/${doomed.id}/delete`;
      const list = await agent.get(url('/admin/groups'));
      const asked = await p.post(agent, list, action);
      expectConfirmation(asked, action, `Delete the group ${doomed.name}?`, /Its members are no longer in .*The users themselves are kept/, '/admin/groups');
      expect((await s().groups.list()).some((g) => g.id === doomed.id)).toBe(true);
      const done = await p.post(agent, asked, action);
      expect(done.html).toContain('Done.');
      expect((await s().groups.list()).some((g) => g.id === doomed.id)).toBe(false);

      const kept = await s().groups.create(`kept-group-${++n}`);
      await s().clients.add({ clientId: `guarded-app-${n}`, redirectUris: ['https://guarded.example.com/cb'], postLogoutRedirectUris: [], public: false, firstParty: false });
      await s().clientRules.set(`guarded-app-${n}`, { ...(await s().clientRules.get(`guarded-app-${n}`)), allowedGroups: [kept.id] });
      const refused = await p.post(agent, await agent.get(url('/admin/groups')), `/admin/groups/${kept.id}/delete`);
      expect(refused.html).toContain(`This group is in the access rule of guarded-app-${n}`);
      expect(refused.html).not.toContain(`Delete the group ${kept.name}?`);
      expect((await s().groups.list()).some((g) => g.id === kept.id)).toBe(true);
    });

    it('never deletes or changes the console’s own application, confirmed or not', async () => {
      const { agent } = await staff();
      const list = await agent.get(url('/admin/clients'));
      const csrf = /name="_csrf" value="([^"]+)"/.exec(list.html)![1]!;
      for (const [path, fields] of [
        [`/admin/clients/${CONSOLE_CLIENT_ID}/delete`, { confirm: 'yes' }],
        [`/admin/clients/${CONSOLE_CLIENT_ID}/delete`, {}],
        [`/admin/clients/${CONSOLE_CLIENT_ID}/rule`, { minLevel: 'urn:idp:acr:phr' }],
        [`/admin/clients/${CONSOLE_CLIENT_ID}/update`, { redirectUris: 'https://evil.example.com/cb' }],
      ] as const) {
        const shown = await agent.follow(await agent.post(url(path), { _csrf: csrf, ...fields }));
        expect(shown.html).toContain('This is the identity provider console application; it cannot be changed or deleted.');
      }
      expect(await s().clients.exists(CONSOLE_CLIENT_ID)).toBe(true);
      expect((await s().clientRules.get(CONSOLE_CLIENT_ID)).minLevel).not.toBe('urn:idp:acr:phr');
      expect(list.html).not.toContain(`/admin/clients/${CONSOLE_CLIENT_ID}/delete`);
      expect(list.html).toContain('Built in: My Profile and this console sign in with it');
      // My Profile still signs in through it.
      const { secret } = await createEnrolledUser(p.server, `still${++n}`, p.now);
      expect((await p.signIn(new UserAgent(), `still${n}`, secret)).html).toContain('<h1>My Profile</h1>');
    });

    it('a form sent after its cookies were cleared goes back to a page with a notice, nothing done', async () => {
      const { agent } = await staff();
      const { user } = await createEnrolledUser(p.server, `victim${++n}`, p.now);
      const res = await agent.post(url(`/admin/users/${user.id}/delete`), { _csrf: 'from-a-cleared-session', confirm: 'yes' });
      expect(res.status).toBe(303);
      const shown = await agent.follow(res);
      expect(shown.status).toBe(200);
      expect(shown.html).toContain('Your form has expired');
      expect(await s().users.findById(user.id)).not.toBeNull();
    });
  });

  describe('My Profile', () => {
    async function withSecondToken(username: string) {
      const signedIn = await p.user(username);
      const second = await s().tokens.createForApp(signedIn.user, 'Tablet');
      await s().tokens.completeWithCode(signedIn.user.id, second.token.id, totpCode(fromBase32(second.key), totpParams, p.now()));
      return signedIn;
    }

    it('reactivates and then deletes a token only once confirmed', async () => {
      const { agent, page, user, token } = await withSecondToken(`pat${++n}`);
      const reactivate = `/account/tokens/${token.id}/reactivate`;
      const asked = await p.post(agent, page, reactivate);
      expectConfirmation(asked, reactivate, `Reactivate your soft token “${token.name}”?`, /stops working at once/, '/account#authenticators');
      expect((await s().tokens.list(user.id)).find((t) => t.id === token.id)!.state).toBe('active');
      const reactivated = await p.post(agent, asked, reactivate);
      expect(reactivated.html).toContain('The soft token was reactivated');
      expect((await s().tokens.list(user.id)).find((t) => t.id === token.id)!.state).not.toBe('active');

      const profile = await agent.get(url('/account'));
      const remove = `/account/tokens/${token.id}/delete`;
      const askedDelete = await p.post(agent, profile, remove);
      expectConfirmation(askedDelete, remove, `Delete your soft token “${token.name}”?`, /cannot be brought back/, '/account#authenticators');
      expect((await s().tokens.list(user.id)).some((t) => t.id === token.id)).toBe(true);
      const deleted = await p.post(agent, askedDelete, remove);
      expect(deleted.html).toContain('The soft token was deleted.');
      expect((await s().tokens.list(user.id)).some((t) => t.id === token.id)).toBe(false);
    });

    it('signs out everywhere only once confirmed', async () => {
      const { agent, page, user } = await p.user(`pat${++n}`);
      const asked = await p.post(agent, page, '/account/sign-out-everywhere');
      expectConfirmation(asked, '/account/sign-out-everywhere', 'Sign out everywhere?', /Every session of your account ends/, '/account');
      expect((await s().users.findById(user.id))!.sessionsEndedAt).toBeNull();
      expect((await agent.get(url('/account'))).status).toBe(200);
      const out = await agent.post(url('/account/sign-out-everywhere'), findForm(asked.html, '/account/sign-out-everywhere').hidden);
      expect(out.location).toBe('/account/signed-out');
      expect((await s().users.findById(user.id))!.sessionsEndedAt).not.toBeNull();
    });
  });
});
