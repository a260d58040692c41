// The device authorization grant (RFC 8628) through openid-client: the device polls while a person
// types the code (or opens verification_uri_complete), confirms it, and signs in through the usual
// pages, the application's rule and level applying; our pages, no inline script.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { ProtocolStand } from '../support/protocol-stand.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('device authorization grant', () => {
  let stand: ProtocolStand;
  let cli: oidc.Configuration;
  let user: Awaited<ReturnType<ProtocolStand['user']>>;

  beforeAll(async () => {
    stand = await ProtocolStand.start();
    user = await stand.user('dora');
    cli = (await stand.client({ clientId: 'device-cli', name: 'Deploy CLI', public: true, grantTypes: ['device_code', 'refresh_token'] })).config;
  });

  afterAll(async () => {
    await stand?.close();
  });

  /** The device's side: asks for a code, then polls (quickly, for the test) until it has an answer. */
  async function device(scope = 'openid offline_access') {
    const started = await oidc.initiateDeviceAuthorization(cli, { scope });
    const tokens = oidc.pollDeviceAuthorizationGrant(cli, { ...started, interval: 0.2 });
    tokens.catch(() => undefined);
    return { started, tokens };
  }

  function expectOurPage(page: Page) {
    expect(page.status).toBe(200);
    expect(page.html).toContain('/static/app.css');
    expect(page.html).not.toContain('<script');
    expect(page.html).not.toContain('onfocus');
  }

  it('signs the device in after the person types the code, confirms and signs in', async () => {
    const { started, tokens } = await device();
    expect(started.verification_uri).toBe(`${stand.url}/device`);
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    // Tokens at rest: neither the device code nor the user code is stored as such.
    expect(await stand.storedAnywhere(started.device_code)).toBe(false);
    expect(await stand.storedAnywhere(started.user_code.replace('-', ''))).toBe(false);
    const agent = new UserAgent();
    const codePage = await agent.get(started.verification_uri);
    expectOurPage(codePage);

    const wrong = await agent.submit(codePage, '/device', { user_code: 'BCDF-GHJK' });
    expect(wrong.html).toContain('That code is not valid');

    const confirm = await agent.submit(wrong, '/device', { user_code: started.user_code.toLowerCase() });
    expectOurPage(confirm);
    expect(confirm.html).toContain('Deploy CLI');
    expect(confirm.html).toContain(started.user_code);
    const login = await agent.follow(await agent.submit(confirm, '/device', { confirm: 'yes' }));
    expect(login.html).toContain('/step/password');
    const done = await stand.signIn(agent, login, user, () => false);
    expectOurPage(done);
    expect(done.html).toContain('Your device is signed in');

    const result = await tokens;
    const claims = result.claims()!;
    expect([claims.sub, claims.aud, claims.acr]).toEqual([user.id, 'device-cli', 'urn:idp:acr:mfa']);
    expect(result.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(cli, result.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('takes the code from verification_uri_complete (the QR code), and a used code cannot serve twice', async () => {
    const { started, tokens } = await device('openid');
    const agent = new UserAgent();
    // oidc-provider posts the code on by itself (a form, with its script's hash in the CSP).
    const relay = await agent.get(started.verification_uri_complete!);
    const confirm = await agent.submit(relay, '/device');
    expect(confirm.html).toContain(started.user_code);
    const login = await agent.follow(await agent.submit(confirm, '/device', { confirm: 'yes' }));
    await stand.signIn(agent, login, user, () => false);
    expect((await tokens).claims()!.sub).toBe(user.id);

    const again = await agent.submit(await agent.get(started.verification_uri), '/device', { user_code: started.user_code });
    expect(again.html).toContain('That code was already used');
  });

  it('tells the device when the person cancels', async () => {
    const { started, tokens } = await device('openid');
    const agent = new UserAgent();
    const confirm = await agent.submit(await agent.get(started.verification_uri), '/device', { user_code: started.user_code });
    const cancelled = await agent.submit(confirm, '/device', { abort: 'yes' });
    expect(cancelled.html).toContain('The sign-in was cancelled');
    await expect(tokens).rejects.toMatchObject({ error: 'access_denied' });
  });

  it('applies the application\'s rule: a user outside its groups is refused, and the device gets nothing', async () => {
    const group = await stand.services.groups.create('deployers');
    await stand.services.clientRules.set('device-cli', { allowedGroups: [group.id], minLevel: 'urn:idp:acr:mfa' });
    try {
      const started = await oidc.initiateDeviceAuthorization(cli, { scope: 'openid' });
      const agent = new UserAgent();
      const confirm = await agent.submit(await agent.get(started.verification_uri), '/device', { user_code: started.user_code });
      const login = await agent.follow(await agent.submit(confirm, '/device', { confirm: 'yes' }));
      const refused = await agent.follow(await agent.submit(login, '/step/password', { login: user.username, password: user.password }));
      expect(refused.html).toContain('You are not allowed to use this application');
      const poll = await fetch(`${stand.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code, client_id: 'device-cli' }),
      });
      expect(await poll.json()).toMatchObject({ error: 'authorization_pending' });
    } finally {
      await stand.services.clientRules.set('device-cli', { allowedGroups: [], minLevel: 'urn:idp:acr:mfa' });
    }
  });
});
