// Back-channel logout to applications on private networks: the receiver listens on 127.0.0.1 (a
// special-use address). Allowed by OUTBOUND_ALLOWED_HOSTS, it receives a logout token from every
// path that ends a session, each delivery audited; without the setting the delivery is refused,
// and the refusal is audited with its reason.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { serviceAccount } from '../support/admin-api.js';
import { pkce, ProtocolStand } from '../support/protocol-stand.js';
import { UserAgent } from '../support/user-agent.js';

const DELIVERED = 'sessions.backchannel_delivered';
const FAILED = 'sessions.backchannel_failed';

describe('back-channel logout to a private network', () => {
  let receiver: Server;
  let uri: string;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    uri = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/backchannel`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  /** A user signed in to an application with a back-channel URI, in `agent`. */
  async function signedIn(stand: ProtocolStand, username: string) {
    const user = await stand.user(username);
    const { config } = await stand.client({ clientId: `${username}-app`, backchannelLogoutUri: uri });
    const agent = new UserAgent();
    const p = await pkce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:1/cb', scope: 'openid', ...p.params });
    const callback = await stand.signIn(agent, await agent.follow(await agent.get(url.href)), user);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce });
    return { user, agent, config, tokens, clientId: `${username}-app` };
  }

  async function logOutAtProvider(stand: ProtocolStand, s: Awaited<ReturnType<typeof signedIn>>) {
    const confirm = await s.agent.get(oidc.buildEndSessionUrl(s.config, { id_token_hint: s.tokens.id_token! }).href);
    await s.agent.submit(confirm, '/session/end/confirm', { logout: 'yes' });
  }

  /** The back-channel audit events of `subject` (the user's own logout is written as it answers). */
  async function deliveries(stand: ProtocolStand, subject: string, count = 1) {
    for (let i = 0; i < 50; i++) {
      const events = (await stand.services.audit.list({ subject })).filter((e) => e.type === DELIVERED || e.type === FAILED);
      if (events.length >= count) return events;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no back-channel audit event for ${subject}`);
  }

  describe('allowed by OUTBOUND_ALLOWED_HOSTS', () => {
    let stand: ProtocolStand;

    beforeAll(async () => {
      stand = await ProtocolStand.start({ OUTBOUND_ALLOWED_HOSTS: '10.0.0.0/8, 127.0.0.0/8' });
    });

    afterAll(async () => {
      await stand?.close();
    });

    it('delivers and audits the logout token when the user signs out at the provider', async () => {
      const s = await signedIn(stand, 'uma');
      received.length = 0;
      await logOutAtProvider(stand, s);
      const [event] = await deliveries(stand, s.user.id);
      expect(event).toMatchObject({ type: DELIVERED, outcome: 'success', clientId: s.clientId, actor: s.user.id, details: { host: new URL(uri).host } });
      expect(received).toHaveLength(1);
    });

    it('delivers and audits it when the user signs out everywhere in My Profile', async () => {
      const s = await signedIn(stand, 'vera');
      const profile = await s.agent.follow(await s.agent.get(`${stand.url}/account`));
      const page = profile.html.includes('/step/password') ? await stand.signIn(s.agent, profile, s.user, () => false) : profile;
      received.length = 0;
      await s.agent.submit(page, '/account/sign-out-everywhere', { confirm: 'yes' });
      const [event] = await deliveries(stand, s.user.id);
      expect(event).toMatchObject({ type: DELIVERED, outcome: 'success', clientId: s.clientId, actor: s.user.id });
      expect(received).toHaveLength(1);
    });

    it('delivers and audits it when an administrator signs the user out, or sets a password', async () => {
      const api = await serviceAccount(stand.server, 'bcl-admin', 'admin');
      const first = await signedIn(stand, 'walt');
      expect((await api.request('POST', `/users/${first.user.id}/sign-out`)).status).toBe(204);
      expect(await deliveries(stand, first.user.id)).toEqual([expect.objectContaining({ type: DELIVERED, actor: 'client:bcl-admin' })]);
      const second = await signedIn(stand, 'xena');
      expect((await api.request('PUT', `/users/${second.user.id}/password`, { password: 'a brand new password 42' })).status).toBe(204);
      expect(await deliveries(stand, second.user.id)).toEqual([expect.objectContaining({ type: DELIVERED, actor: 'client:bcl-admin' })]);
    });
  });

  describe('without the setting', () => {
    let stand: ProtocolStand;

    beforeAll(async () => {
      stand = await ProtocolStand.start();
    });

    afterAll(async () => {
      await stand?.close();
    });

    it('refuses the private address and audits the refusal, on the user\'s own logout too', async () => {
      const s = await signedIn(stand, 'yann');
      received.length = 0;
      await logOutAtProvider(stand, s);
      const [event] = await deliveries(stand, s.user.id);
      expect(event).toMatchObject({ type: FAILED, outcome: 'failure', clientId: s.clientId, actor: s.user.id });
      expect(String(event!.details.reason)).toContain('127.0.0.1, a private or special-use address not in OUTBOUND_ALLOWED_HOSTS');
      expect(received).toHaveLength(0);
    });

    it('refuses it when an administrator ends the sessions, and the sessions end all the same', async () => {
      const s = await signedIn(stand, 'zora');
      received.length = 0;
      const ended = await stand.services.userAdmin.endSessions(s.user.id, 'administrator', { actor: 'admin-test' });
      expect(ended).toBeGreaterThan(0);
      expect(await deliveries(stand, s.user.id)).toEqual([expect.objectContaining({ type: FAILED, actor: 'admin-test' })]);
      expect(received).toHaveLength(0);
    });
  });
});
