// Tokens at rest (DESIGN §8): after a real sign-in, refresh and admin-API token, no column of
// oidc_payloads holds a usable value; the tokens still work, and a stored row id used as one does not.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { HashedPayloadIds1764700000000 } from '../../migrations/1764700000000-hashed-payload-ids.js';
import { OidcPayloadEntity } from '../../src/persistence/entities/oidc-payload.entity.js';
import { createAdapter } from '../../src/provider/adapter.js';
import { systemClock } from '../../src/support/clock.js';
import { adminToken, callAdminApi } from '../support/admin-api.js';
import { exchange, registerRelyingParty, signInWithPin, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { openTestDatabase, startTestServer, type TestServer } from '../support/test-server.js';
import { fetchTransport, UserAgent, type Transport } from '../support/user-agent.js';

type Row = Record<string, unknown>;

describe('tokens at rest', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  let accountId: string;
  let idKey: Buffer;
  let agent: UserAgent;
  /** Every `_session` cookie value the browser was given. */
  const sessionCookies = new Set<string>();
  /** Every token value issued in this file, to look for in the database. */
  const issued = new Set<string>();
  let tokens: { access: string; refresh: string };
  let adminBearer: string;

  const rows = async (): Promise<Row[]> => server.app.ds.query('SELECT * FROM oidc_payloads');
  /** The row id a value must be stored under: HMAC-SHA256 with the server key, base64url. */
  const storedId = (value: string) => createHmac('sha256', idKey).update(value).digest('base64url');
  const rowOf = async (model: string, value: string) => (await rows()).find((r) => r.model === model && r.id === storedId(value));
  const userinfo = (bearer: string) => fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${bearer}` } });

  const recording: Transport = async (url, request) => {
    const res = await fetchTransport(url, request);
    for (const line of res.setCookie) {
      const [, value] = /^_session=([^;]*)/.exec(line) ?? [];
      if (value) sessionCookies.add(value);
    }
    return res;
  };

  /** Signs in from a new browser; returns the callback URL (with the code), its request and the browser. */
  async function signIn() {
    const browser = new UserAgent({}, recording);
    const auth = await startAuthorization(rp, { scope: 'openid email offline_access', prompt: 'consent' });
    const seen = smtp.messages.length;
    const callback = await signInWithPin(browser, auth, 'carol', 'carol password 1', async () => pinFrom((await smtp.next('carol@example.com', seen)).raw));
    issued.add(new URL(callback).searchParams.get('code')!);
    return { auth, callback, browser };
  }

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start() } });
    accountId = (await server.app.services.users.create({ username: 'carol', email: 'carol@example.com', password: 'carol password 1' })).id;
    rp = await registerRelyingParty(server);
    idKey = await server.app.services.secrets.bytes('payload-id-key');
    const { auth, callback, browser } = await signIn();
    agent = browser;
    const first = await exchange(rp, auth, callback);
    const refreshed = await oidc.refreshTokenGrant(rp.config, first.refresh_token!);
    tokens = { access: refreshed.access_token, refresh: refreshed.refresh_token! };
    [first.access_token, first.refresh_token!, tokens.access, tokens.refresh].forEach((t) => issued.add(t));

    const { clientSecret } = await server.app.services.clients.addServiceAccount('rest-bot', 'superadmin');
    adminBearer = await adminToken(server, 'rest-bot', clientSecret);
    issued.add(adminBearer);
    // Answered before its row is committed (adapter.ts): a find of it waits for the commit.
    await server.app.provider.ClientCredentials.find(adminBearer);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it('stores codes, tokens and sessions under a keyed hash of their value', async () => {
    expect(await rowOf('AuthorizationCode', [...issued][0]!)).toBeDefined();
    expect(await rowOf('AccessToken', tokens.access)).toBeDefined();
    expect(await rowOf('RefreshToken', tokens.refresh)).toBeDefined();
    expect(await rowOf('ClientCredentials', adminBearer)).toBeDefined();
    expect(sessionCookies.size).toBeGreaterThan(0);
    const sessions = (await rows()).filter((r) => r.model === 'Session');
    expect(sessions.map((r) => r.id)).toContain(storedId([...sessionCookies].at(-1)!));
  });

  it('holds no raw code, token or session cookie in any column', async () => {
    const all = await rows();
    expect(all.length).toBeGreaterThan(5);
    const secrets = [...issued, ...sessionCookies];
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    for (const row of all) {
      const text = JSON.stringify(row);
      for (const secret of secrets) expect(text).not.toContain(secret);
      if (row.model !== 'Interaction' && row.model !== 'Grant') expect(JSON.parse(String(row.payload))).not.toHaveProperty('jti');
    }
  });

  it('still accepts the tokens themselves', async () => {
    expect((await userinfo(tokens.access)).status).toBe(200);
    expect((await callAdminApi(server, adminBearer, 'GET', '/groups')).status).toBe(200);
    // Single sign-on: the session is found from its cookie.
    const again = await startAuthorization(rp);
    const sso = await agent.follow(await agent.get(again.url.href), (u) => u.startsWith('http://127.0.0.1:1/cb'));
    expect(sso.url).toContain('code=');
    expect(await server.app.services.accountSessions.list(accountId)).toHaveLength(1);
  });

  it('refuses a stored row id presented as a token', async () => {
    const accessRow = (await rowOf('AccessToken', tokens.access))!;
    const res = await userinfo(String(accessRow.id));
    expect(res.status).toBe(401);
    const adminRow = (await rowOf('ClientCredentials', adminBearer))!;
    expect((await callAdminApi(server, String(adminRow.id), 'GET', '/groups')).status).toBe(401);
    const refreshRow = (await rowOf('RefreshToken', tokens.refresh))!;
    await expect(oidc.refreshTokenGrant(rp.config, String(refreshRow.id))).rejects.toMatchObject({ error: 'invalid_grant' });

    // A fresh code: its row id is refused, and the code itself still works afterwards.
    const { auth, callback } = await signIn();
    const code = new URL(callback).searchParams.get('code')!;
    const copied = new URL(callback);
    copied.searchParams.set('code', String((await rowOf('AuthorizationCode', code))!.id));
    await expect(exchange(rp, auth, copied.href)).rejects.toMatchObject({ error: 'invalid_grant' });
    const fresh = await exchange(rp, auth, callback);
    expect((await userinfo(fresh.access_token)).status).toBe(200);
  });

  it('refuses a code used twice and revokes what it gave', async () => {
    const { auth, callback } = await signIn();
    const first = await exchange(rp, auth, callback);
    expect((await userinfo(first.access_token)).status).toBe(200);
    await expect(exchange(rp, auth, callback)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await userinfo(first.access_token)).status).toBe(401);
    await expect(oidc.refreshTokenGrant(rp.config, first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revokes an access token and a refresh token by their value', async () => {
    const { auth, callback } = await signIn();
    const got = await exchange(rp, auth, callback);
    await oidc.tokenRevocation(rp.config, got.access_token);
    expect((await userinfo(got.access_token)).status).toBe(401);
    expect(await rowOf('AccessToken', got.access_token)).toBeUndefined();
    await oidc.tokenRevocation(rp.config, got.refresh_token!);
    await expect(oidc.refreshTokenGrant(rp.config, got.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await rowOf('RefreshToken', got.refresh_token!)).toBeUndefined();
  });

  it('ends every session of the account, found by account not by id', async () => {
    await server.app.services.sessions.endAll(accountId, 'test');
    expect((await rows()).filter((r) => r.account_id === accountId)).toEqual([]);
    expect(await server.app.services.accountSessions.list(accountId)).toEqual([]);
    const again = await startAuthorization(rp);
    expect((await agent.follow(await agent.get(again.url.href))).html).toContain('name="password"');
  });

  // A SQLite setting: PostgreSQL has no such pragma, so the test exists on SQLite only.
  if (!process.env.TEST_DATABASE_URL) {
    it('overwrites deleted rows on SQLite (secure_delete)', async () => {
      const [pragma] = (await server.app.ds.query('PRAGMA secure_delete')) as Array<{ secure_delete: number }>;
      expect(pragma!.secure_delete).toBe(1);
    });
  }

  describe('payload fields that carry another bearer value (device flow)', () => {
    const key = Buffer.alloc(32, 7);
    const adapterFor = (model: string) => new (createAdapter(server.app.ds, systemClock, async () => undefined, key))(model);

    it('finds a device code by its user code, and hands both back without storing either', async () => {
      const deviceCodes = adapterFor('DeviceCode');
      const now = Math.floor(Date.now() / 1000);
      await deviceCodes.upsert('device-code-value-1', { jti: 'device-code-value-1', userCode: 'BCDFGHJK', clientId: 'tv', iat: now, exp: now + 600 }, 600);
      const stored = await server.app.ds.getRepository(OidcPayloadEntity).findOneByOrFail({ model: 'DeviceCode', clientId: 'tv' });
      expect(JSON.stringify(stored)).not.toMatch(/device-code-value-1|BCDFGHJK/);

      expect(await deviceCodes.findByUserCode('BCDFGHJK')).toMatchObject({ jti: 'device-code-value-1', userCode: 'BCDFGHJK', clientId: 'tv' });
      expect(await deviceCodes.findByUserCode('BCDFGHJX')).toBeUndefined();
      expect(await deviceCodes.find('device-code-value-1')).toMatchObject({ jti: 'device-code-value-1', clientId: 'tv' });
      expect(await deviceCodes.find(stored.id)).toBeUndefined();
      // Saved again after a find by id (no user code in the payload): still found by its user code.
      await deviceCodes.upsert('device-code-value-1', { jti: 'device-code-value-1', clientId: 'tv', accountId: 'someone', iat: now, exp: now + 600 }, 600);
      expect(await deviceCodes.findByUserCode('BCDFGHJK')).toMatchObject({ jti: 'device-code-value-1', accountId: 'someone' });
    });

    it('keeps no session cookie or device code in the clear in an interaction', async () => {
      const interactions = adapterFor('Interaction');
      const session = { accountId: 'someone', uid: 'session-uid', cookie: 'session-cookie-value' };
      await interactions.upsert('interaction-uid-1', { jti: 'interaction-uid-1', session, deviceCode: 'device-code-value-2' }, 600);
      const stored = await server.app.ds.getRepository(OidcPayloadEntity).findOneByOrFail({ model: 'Interaction', id: 'interaction-uid-1' });
      expect(JSON.stringify(stored)).not.toMatch(/session-cookie-value|device-code-value-2/);
      const found = await interactions.find('interaction-uid-1');
      expect(found).toMatchObject({ jti: 'interaction-uid-1', deviceCode: 'device-code-value-2', session: { accountId: 'someone', uid: 'session-uid' } });
      expect(found!.session).not.toHaveProperty('cookie');
    });
  });
});

describe('migration HashedPayloadIds', () => {
  it('deletes rows stored under a raw value and keeps grants and plain interactions', async () => {
    const db = await openTestDatabase();
    try {
      const repo = db.ds.getRepository(OidcPayloadEntity);
      const row = (model: string, id: string, payload: object = {}) => ({ model, id, payload, grantId: null, userCode: null, uid: null, accountId: null, clientId: null, expiresAt: null, consumedAt: null });
      await repo.insert([
        row('AccessToken', 'raw-access'),
        row('RefreshToken', 'raw-refresh'),
        row('Session', 'raw-session'),
        row('ClientCredentials', 'raw-admin'),
        row('Grant', 'grant-1'),
        row('Interaction', 'plain-interaction', { params: {} }),
        row('Interaction', 'signed-in-interaction', { session: { uid: 'u', cookie: 'raw-session' } }),
      ]);
      const runner = db.ds.createQueryRunner();
      try {
        await new HashedPayloadIds1764700000000().up(runner);
      } finally {
        await runner.release();
      }
      const left = (await repo.find()).map((r) => `${r.model}:${r.id}`).sort();
      expect(left).toEqual(['Grant:grant-1', 'Interaction:plain-interaction']);
    } finally {
      await db.close();
    }
  });
});
