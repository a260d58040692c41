// The database goes away in the middle of a sign-in: every surface says 503 with Retry-After (pages,
// the admin API, oidc-provider's /auth and /token) and /readyz says 503; once it is back, the same
// server carries on: the interrupted sign-in finishes, the admin API answers, a code issued before
// the outage is still exchanged. On PostgreSQL the server talks to it through a TCP proxy that the
// test cuts. On SQLite another connection takes the write lock (BEGIN EXCLUSIVE): a WAL database
// may still serve readers, so reads answer 200 or 503, and writes must meet the 503.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import sqlite3 from 'sqlite3';
import { adminToken } from '../support/admin-api.js';
import { mailText } from '../support/mail-text.js';
import { signInByEmailPin } from '../support/pin-sign-in.js';
import { recordingAgent } from '../support/recording-agent.js';
import { type Authorization, exchange, isCallback, openLogin, REDIRECT_URI, registerRelyingParty, type RelyingParty, startAuthorization } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { createTestDatabase, startTestServer, type TestServer } from '../support/test-server.js';
import type { Page } from '../support/user-agent.js';

const POSTGRES = !!process.env.TEST_DATABASE_URL;
const PATIENCE_MS = 15_000;

interface Outage {
  /** Makes the database unreachable; returns how many open connections it dropped. */
  cut(): Promise<number>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** The server's PostgreSQL URL pointed at a proxy in front of the real one (other test files keep using it). */
async function proxiedPostgres(dir: string): Promise<{ databaseUrl: string; outage: Outage }> {
  const db = await createTestDatabase(dir);
  const url = new URL(db.url);
  const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(await proxy.start());
  const outage = {
    async cut() {
      const open = proxy.connections;
      await proxy.cut();
      return open;
    },
    restore: () => proxy.restore(),
    async close() {
      await proxy.cut();
      await db.drop();
    },
  };
  return { databaseUrl: url.href, outage };
}

/** A second connection to the server's SQLite file holding the write lock. */
function lockedSqlite(file: string): Outage {
  let holder: sqlite3.Database | undefined;
  const run = (db: sqlite3.Database, sql: string) => new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
  return {
    async cut() {
      holder = await new Promise<sqlite3.Database>((resolve, reject) => {
        const db = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(db)));
      });
      await run(holder, 'PRAGMA busy_timeout = 10000; BEGIN EXCLUSIVE');
      return 0;
    },
    async restore() {
      const db = holder;
      holder = undefined;
      if (!db) return;
      await run(db, 'ROLLBACK');
      await new Promise<void>((resolve) => db.close(() => resolve()));
    },
    async close() {
      await this.restore();
    },
  };
}

/** One request, as what the test compares: the status, and whether a 503 said when to come back. */
async function probe(url: string, init: RequestInit = {}): Promise<string> {
  try {
    const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(PATIENCE_MS) });
    const body = await res.text();
    if (res.status !== 503) return `${res.status}`;
    const retry = /^\d+$/.test(res.headers.get('retry-after') ?? '') ? 'with Retry-After' : 'without Retry-After';
    const error = /json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(body) as { error?: string }).error : undefined;
    const json = error ? ` ${error}` : '';
    return `503 ${retry}${json}`;
  } catch (err) {
    return `no answer within ${PATIENCE_MS / 1000} s (${(err as Error).name})`;
  }
}

describe(POSTGRES ? 'PostgreSQL cut off behind a proxy' : 'SQLite locked by another connection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idp-outage-'));
  const smtp = new SmtpCapture();
  let server: TestServer;
  let outage: Outage;
  let rp: RelyingParty;
  let bearer: string;
  const ids: Record<string, string> = {};
  // The sign-in interrupted at the PIN page, and the PIN it was sent.
  const walker = recordingAgent();
  let walkerAuth: Authorization;
  let pinPage: Page;
  let pin: string;
  // Someone signed in to My Profile, and an authorization code not yet exchanged.
  const profile = recordingAgent();
  let pendingCode: { url: string; auth: Authorization };

  beforeAll(async () => {
    const env = { SMTP_URL: await smtp.start() };
    if (POSTGRES) {
      const proxied = await proxiedPostgres(dir);
      outage = proxied.outage;
      server = await startTestServer({ dir, databaseUrl: proxied.databaseUrl, env });
    } else {
      // A write waits 3 s for the lock before the database counts as away (10 s by default): requests
      // on the one connection wait for each other's waits, and under a loaded machine two 10 s waits in
      // a row outlast the patience.
      server = await startTestServer({ dir, env: { ...env, SQLITE_BUSY_TIMEOUT: '3000' } });
      const { database } = server.config;
      outage = lockedSqlite(database.type === 'sqlite' ? database.path : '');
    }
    const s = server.app.services;
    rp = await registerRelyingParty(server);
    for (const name of ['walker', 'profile', 'coder']) ids[name] = (await s.users.create({ username: name, email: `${name}@example.com`, password: `${name} password 1` })).id;
    const account = await s.clients.addServiceAccount('outage-api', 'superadmin');
    bearer = await adminToken(server, account.clientId, account.clientSecret);

    walkerAuth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const login = await openLogin(walker.agent, walkerAuth);
    pinPage = await walker.agent.follow(await walker.agent.submit(login, '/step/password', { login: 'walker', password: 'walker password 1' }));
    expect(pinPage.html).toContain('name="pin"');
    pin = pinFrom(mailText((await smtp.next('walker@example.com', seen)).raw));

    const seenProfile = smtp.messages.length;
    const profileLogin = await profile.agent.follow(await profile.agent.get(`${server.url}/account`));
    const profilePin = await profile.agent.follow(await profile.agent.submit(profileLogin, '/step/password', { login: 'profile', password: 'profile password 1' }));
    const code = pinFrom(mailText((await smtp.next('profile@example.com', seenProfile)).raw));
    expect((await profile.agent.follow(await profile.agent.submit(profilePin, '/step/pin', { action: 'verify', pin: code }))).status).toBe(200);
    expect((await profile.agent.get(`${server.url}/account`)).status).toBe(200);

    const auth = await startAuthorization(rp);
    const coder = await signInByEmailPin(recordingAgent().agent, auth, 'coder', 'coder password 1', 'coder@example.com', smtp);
    expect(isCallback(coder.afterPin!.url)).toBe(true);
    pendingCode = { url: coder.afterPin!.url, auth };
  }, 60_000);

  afterAll(async () => {
    await outage?.restore();
    await server?.close();
    await outage?.close();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const interactionUrl = () => `${server.url}${new URL(pinPage.url).pathname}`;
  const csrf = () => /name="_csrf" value="([^"]+)"/.exec(pinPage.html)![1]!;
  const tokenRequest = (): RequestInit => ({
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: new URL(pendingCode.url).searchParams.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: pendingCode.auth.verifier }).toString(),
  });

  /** Requests that got no answer during the outage: they go on by themselves once the database is back. */
  let unanswered: string[] = [];

  it('answers 503 with Retry-After on every surface while the database is away', async () => {
    expect(await probe(`${server.url}/readyz`)).toBe('200');
    const dropped = await outage.cut();
    // On PostgreSQL the pool's open connections die under it, not only new ones refused.
    if (POSTGRES) expect(dropped).toBeGreaterThan(0);
    const html = { accept: 'text/html' };
    const seen = {
      myProfile: probe(`${server.url}/account`, { headers: { ...html, cookie: profile.cookie() } }),
      signInPage: probe(interactionUrl(), { headers: { ...html, cookie: walker.cookie() } }),
      pinPosted: probe(`${interactionUrl()}/step/pin`, {
        method: 'POST',
        headers: { ...html, cookie: walker.cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf(), action: 'verify', pin }).toString(),
      }),
      adminApi: probe(`${server.url}/admin/api/users`, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } }),
      authorize: startAuthorization(rp).then((auth) => probe(auth.url.href, { headers: html })),
      token: probe(`${server.url}/token`, tokenRequest()),
      // A health check: its status is what counts.
      readiness: probe(`${server.url}/readyz`).then((answer) => (answer.startsWith('no answer') ? answer : answer.slice(0, 3))),
    };
    const answers = Object.fromEntries(await Promise.all(Object.entries(seen).map(async ([k, v]) => [k, await v] as const)));
    unanswered = Object.keys(answers).filter((k) => answers[k]!.startsWith('no answer'));
    const away = '503 with Retry-After';
    // On SQLite a reader may be served (a WAL database answers reads under a writer's lock) or be
    // told to come back; what writes must meet the 503. Either way, within the patience above.
    const readOr503 = POSTGRES ? away : expect.stringMatching(/^(200|503 with Retry-After)$/);
    expect(answers).toEqual({
      myProfile: readOr503,
      signInPage: readOr503,
      adminApi: POSTGRES ? `${away} temporarily_unavailable` : expect.stringMatching(/^(200|503 with Retry-After temporarily_unavailable)$/),
      pinPosted: away,
      authorize: away,
      token: `${away} temporarily_unavailable`,
      readiness: POSTGRES ? '503' : expect.stringMatching(/^(200|503)$/),
    });
  }, 60_000);

  it('carries on where it stopped once the database is back, without a restart', async () => {
    await outage.restore();
    expect(await probe(`${server.url}/readyz`)).toBe('200');
    // A PIN posted during the outage that was left hanging would finish now, with that PIN.
    expect({ unansweredDuringOutage: unanswered }).toEqual({ unansweredDuringOutage: [] });
    // The interrupted sign-in: the PIN it was sent before the outage still completes it.
    const done = await walker.agent.follow(await walker.agent.submit(pinPage, '/step/pin', { action: 'verify', pin }), isCallback);
    expect(done.url).toMatch(/^http:\/\/127\.0\.0\.1:1\/cb\?code=/);
    const tokens = await exchange(rp, walkerAuth, done.url);
    expect(tokens.claims()!.sub).toBe(ids.walker);
    // The admin API token issued before the outage, the My Profile session, the code not yet exchanged.
    expect(await probe(`${server.url}/admin/api/users`, { headers: { authorization: `Bearer ${bearer}` } })).toBe('200');
    expect(await probe(`${server.url}/account`, { headers: { accept: 'text/html', cookie: profile.cookie() } })).toBe('200');
    const res = await fetch(`${server.url}/token`, tokenRequest());
    expect({ status: res.status, tokenType: ((await res.json()) as { token_type?: string }).token_type }).toEqual({ status: 200, tokenType: 'Bearer' });
  }, 60_000);
});
