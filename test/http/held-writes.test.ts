// A token response waits for its rows (held-writes.ts): the rows of a refresh-token rotation share
// one commit, no token leaves before its rows are committed, and a row that cannot be written turns
// the response into an error without tokens, with none of its rows written. The one exception, on
// SQLite: an opaque client-credentials token, answered before its commit (adapter.ts); every use of
// it waits for the commit, and if the commit fails the token is refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Next } from 'koa';
import type { DataSource } from 'typeorm';
import * as oidc from 'openid-client';
import pino from 'pino';
import { openDatabase } from '../../src/persistence/data-source.js';
import { createAdapter } from '../../src/provider/adapter.js';
import { holdingRequest, holdWrite, holdWrites } from '../../src/provider/held-writes.js';
import { systemClock } from '../../src/support/clock.js';
import { callAdminApi } from '../support/admin-api.js';
import { exchange, registerRelyingParty, signInWithPin, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { createTestDatabase, openTestDatabase, startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

const later = () => {
  let settle!: { resolve(): void; reject(err: Error): void };
  const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
};
const ctxOf = (method: string, path: string) => ({ method, path }) as Context;

/** Makes the database refuse every new row of `model` (a trigger); the function returned allows them again. */
async function refuseInserts(ds: DataSource, model: string): Promise<() => Promise<void>> {
  const name = `refuse_${model.toLowerCase()}`;
  if (ds.options.type === 'postgres') {
    await ds.query(`CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`);
    await ds.query(`CREATE TRIGGER ${name} BEFORE INSERT ON oidc_payloads FOR EACH ROW WHEN (NEW.model = '${model}') EXECUTE FUNCTION ${name}()`);
    return async () => {
      await ds.query(`DROP TRIGGER ${name} ON oidc_payloads`);
      await ds.query(`DROP FUNCTION ${name}()`);
    };
  }
  await ds.query(`CREATE TRIGGER ${name} BEFORE INSERT ON oidc_payloads WHEN NEW.model = '${model}' BEGIN SELECT RAISE(ABORT, 'refused'); END`);
  return async () => void (await ds.query(`DROP TRIGGER ${name}`));
}
const unexpected = () => {
  throw new Error('no write failed');
};
/** Holds `write` in the current request, if it holds its writes; says whether it did. */
const tryHold = (write: Promise<void>): boolean => {
  const request = holdingRequest();
  if (request) holdWrite(request, write);
  return request !== undefined;
};

describe('holdWrites', () => {
  it('lets a POST to a listed path go on past its writes, and ends only once they are committed', async () => {
    const write = later();
    let held: boolean | undefined;
    let ended = false;
    const done = holdWrites(['/token'], unexpected)(ctxOf('POST', '/token'), (async () => {
      held = tryHold(write.promise);
    }) as Next).then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(held).toBe(true);
    expect(ended).toBe(false);
    write.resolve();
    await done;
    expect(ended).toBe(true);
  });

  it('answers with the write that failed, once every write has settled', async () => {
    const [failing, slow] = [later(), later()];
    const failures: unknown[] = [];
    let ended = false;
    const done = holdWrites(['/token'], (_ctx, err) => void failures.push(err))(ctxOf('POST', '/token'), (async () => {
      tryHold(failing.promise);
      tryHold(slow.promise);
    }) as Next).then(() => (ended = true));
    failing.reject(new Error('disk full'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(false);
    slow.resolve();
    await done;
    expect(failures).toEqual([new Error('disk full')]);
  });

  it('holds nothing elsewhere, for other methods, or once the response is on its way', async () => {
    const answers: boolean[] = [];
    const tryNow = (async () => void answers.push(tryHold(Promise.resolve()))) as Next;
    await holdWrites(['/token'], unexpected)(ctxOf('POST', '/auth'), tryNow);
    await holdWrites(['/token'], unexpected)(ctxOf('GET', '/token'), tryNow);
    let afterwards: Promise<void> | undefined;
    await holdWrites(['/token'], unexpected)(ctxOf('POST', '/token'), (async () => {
      // Work the request leaves running (a notification, say) writes after the response.
      afterwards = new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => void answers.push(tryHold(Promise.resolve())));
    }) as Next);
    await afterwards;
    expect(tryHold(Promise.resolve())).toBe(false);
    expect(answers).toEqual([false, false, false]);
  });
});

describe('the adapter inside a request that holds its writes', () => {
  it('finds a row written but not yet committed once it is committed, never as missing', async () => {
    const db = await openTestDatabase('idp-held-');
    try {
      const tokens = new (createAdapter(db.ds, systemClock, async () => undefined, Buffer.alloc(32, 3)))('AccessToken');
      const now = Math.floor(Date.now() / 1000);
      let found: unknown;
      await holdWrites(['/token'], unexpected)(ctxOf('POST', '/token'), (async () => {
        await tokens.upsert('held-token-1', { jti: 'held-token-1', clientId: 'app', iat: now, exp: now + 60 }, 60);
        found = await tokens.find('held-token-1');
      }) as Next);
      expect(found).toMatchObject({ jti: 'held-token-1', clientId: 'app' });

      // Codes consumed together (one multi-row UPDATE on SQLite, three rows padded to four) are each
      // consumed, and only they.
      const codes = new (createAdapter(db.ds, systemClock, async () => undefined, Buffer.alloc(32, 3)))('AuthorizationCode');
      const ids = ['code-1', 'code-2', 'code-3', 'code-4'];
      await Promise.all(ids.map((id) => codes.upsert(id, { jti: id, clientId: 'app', iat: now, exp: now + 60 }, 60)));
      await Promise.all(ids.slice(0, 3).map((id) => codes.consume(id)));
      const consumed = await Promise.all(ids.map(async (id) => (await codes.find(id))?.consumed));
      expect(consumed.map((at) => typeof at)).toEqual(['number', 'number', 'number', 'undefined']);
      expect(Math.abs((consumed[0] as number) - now)).toBeLessThanOrEqual(2);
    } finally {
      await db.close();
    }
  });
});

describe('token responses and their rows', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let rp: RelyingParty;
  const postgres = () => server.app.ds.options.type === 'postgres';

  /** A fresh refresh token from a real sign-in. */
  async function refreshToken(): Promise<string> {
    const auth = await startAuthorization(rp, { scope: 'openid email offline_access', prompt: 'consent' });
    const seen = smtp.messages.length;
    const callback = await signInWithPin(new UserAgent(), auth, 'hana', 'hana password 1', async () => pinFrom((await smtp.next('hana@example.com', seen)).raw));
    return (await exchange(rp, auth, callback)).refresh_token!;
  }

  const countRows = async (model: string): Promise<number> =>
    Number(((await server.app.ds.query(`SELECT COUNT(*) AS n FROM oidc_payloads WHERE model = '${model}'`)) as Array<{ n: number | string }>)[0]!.n);

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start() } });
    await server.app.services.users.create({ username: 'hana', email: 'hana@example.com', password: 'hana password 1' });
    rp = await registerRelyingParty(server);
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  it('commits the rows of a rotation together (the old token consumed, the new refresh and access tokens)', async () => {
    const refresh = await refreshToken();
    const { ds } = server.app;
    // Writes to the table, each with whether it went inside a transaction (with a query runner) or on its own.
    const writes: string[] = [];
    let transactions = 0;
    const query = ds.query.bind(ds);
    const transaction = ds.transaction.bind(ds) as (...a: unknown[]) => Promise<unknown>;
    const patched = ds as unknown as { query: typeof query; transaction: typeof transaction };
    patched.query = (sql, parameters, runner) => {
      if (/^\s*(INSERT INTO|UPDATE|DELETE FROM) oidc_payloads/.test(sql)) writes.push(`${sql.trim().split(/\s+/)[0]!} ${runner ? 'inside' : 'alone'}`);
      return query(sql, parameters, runner);
    };
    patched.transaction = (...a) => {
      transactions++;
      return transaction(...a);
    };
    let rotated;
    try {
      rotated = await oidc.refreshTokenGrant(rp.config, refresh);
    } finally {
      patched.query = query;
      patched.transaction = transaction;
    }
    expect(rotated.refresh_token).toBeTruthy();
    // Not one commit per row: the three rows went in one transaction (on SQLite both tokens in one
    // INSERT; on PostgreSQL, where each pooled connection would commit on its own, the request's
    // writes are kept until it is handled).
    expect(writes).toEqual(postgres() ? ['UPDATE inside', 'INSERT inside', 'INSERT inside'] : ['UPDATE inside', 'INSERT inside']);
    expect(transactions).toBe(1);
    await expect(oidc.refreshTokenGrant(rp.config, refresh)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('answers no token before its rows are committed', async () => {
    const refresh = await refreshToken();
    const { ds } = server.app;
    const release = later();
    const locked = later();
    // Another writer holds the table: on SQLite an open transaction, on PostgreSQL a table lock.
    const blocker = ds.transaction(async (manager) => {
      if (postgres()) await manager.query('LOCK TABLE oidc_payloads IN EXCLUSIVE MODE');
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    // The moment the request's writes are on their way (a batch's transaction asked for on SQLite,
    // a write sent on PostgreSQL): from then on they wait for the other writer.
    const writing = later();
    const query = ds.query.bind(ds);
    const transaction = ds.transaction.bind(ds) as (...a: unknown[]) => Promise<unknown>;
    const patched = ds as unknown as { query: typeof query; transaction: typeof transaction };
    patched.query = (sql, ...rest) => {
      if (/^\s*(INSERT INTO|UPDATE) oidc_payloads/.test(sql)) writing.resolve();
      return query(sql, ...rest);
    };
    patched.transaction = (...a) => {
      writing.resolve();
      return transaction(...a);
    };
    let answered = false;
    const grant = oidc.refreshTokenGrant(rp.config, refresh).finally(() => (answered = true));
    try {
      await writing.promise;
    } finally {
      patched.query = query;
      patched.transaction = transaction;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    const accessRows = await countRows('AccessToken');
    release.resolve();
    await blocker;
    const rotated = await grant;
    expect(rotated.access_token).toBeTruthy();
    expect(await countRows('AccessToken')).toBe(accessRows + 1);
  });

  it('answers an error, and no token, when a row cannot be written', async () => {
    const refresh = await refreshToken();
    const allow = await refuseInserts(server.app.ds, 'AccessToken');
    let res: Response;
    try {
      res = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh }),
      });
    } finally {
      await allow();
    }
    // The same answer on both databases, as oidc-provider gives for a write of its own that fails.
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toMatch(/access_token|refresh_token|id_token/);
    expect(JSON.parse(body)).toMatchObject({ error: 'server_error' });
    // The rotation's rows failed together, on both databases: the old token still works.
    expect((await oidc.refreshTokenGrant(rp.config, refresh)).access_token).toBeTruthy();
  });
});

describe('client-credentials tokens', () => {
  let server: TestServer;
  const errors: string[] = [];
  let bot: oidc.Configuration;
  const postgres = () => server.app.ds.options.type === 'postgres';

  const countRows = async (): Promise<number> =>
    Number(((await server.app.ds.query(`SELECT COUNT(*) AS n FROM oidc_payloads WHERE model = 'ClientCredentials'`)) as Array<{ n: number | string }>)[0]!.n);
  /** A token for the admin API, by openid-client as the service account. */
  const token = async () => (await oidc.clientCredentialsGrant(bot, { scope: 'idp:admin' })).access_token;
  /** Another writer holds the table (on SQLite an open transaction, on PostgreSQL a table lock) until released. */
  async function holdTable(): Promise<{ release(): Promise<void> }> {
    const release = later();
    const locked = later();
    const blocker = server.app.ds.transaction(async (manager) => {
      if (postgres()) await manager.query('LOCK TABLE oidc_payloads IN EXCLUSIVE MODE');
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    return {
      async release() {
        release.resolve();
        await blocker;
      },
    };
  }
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** `promise`, or a failure once `ms` have passed. */
  const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
    Promise.race([promise, pause(ms).then(() => Promise.reject(new Error(`no answer within ${ms} ms`)))]);

  beforeAll(async () => {
    server = await startTestServer({ overrides: { log: pino({ level: 'error' }, { write: (line: string) => void errors.push(line) }) } });
    const { clientSecret } = await server.app.services.clients.addServiceAccount('cc-bot', 'admin');
    bot = await oidc.discovery(new URL(server.url), 'cc-bot', undefined, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers on SQLite before the row is committed (on PostgreSQL once it is); a use of the token waits for the commit', async () => {
    const rows = await countRows();
    const table = await holdTable();
    let answered = false;
    const grant = token().finally(() => (answered = true));
    // SQLite: the token comes while its row waits for the other writer (it could not come otherwise)
    // and is not yet readable in the table. PostgreSQL: no answer while the row waits.
    if (postgres()) await pause(300);
    else await within(10_000, grant);
    expect(answered).toBe(!postgres());
    let used = false;
    const use = postgres() ? undefined : callAdminApi(server, await grant, 'GET', '/settings').finally(() => (used = true));
    if (use) {
      await pause(300);
      expect(used).toBe(false);
      expect(await countRows()).toBe(rows);
    }
    await table.release();
    expect((await (use ?? callAdminApi(server, await grant, 'GET', '/settings'))).status).toBe(200);
    expect(await countRows()).toBe(rows + 1);
  });

  it('answers no more than 128 tokens before their rows are committed: beyond, an answer waits for its row', async () => {
    const rows = await countRows();
    const table = await holdTable();
    let answered = 0;
    const grants = Array.from({ length: 130 }, () => token().finally(() => answered++));
    // SQLite: 128 come while their rows wait; then nothing more comes while the table is held.
    for (const started = Date.now(); !postgres() && answered < 128 && Date.now() - started < 20_000; ) await pause(50);
    await pause(300);
    expect(answered).toBe(postgres() ? 0 : 128);
    await table.release();
    expect(new Set(await Promise.all(grants)).size).toBe(130);
    expect(await countRows()).toBe(rows + 130);
  });

  it('refuses a token whose row could not be written, and says so in the log (on PostgreSQL no token is answered)', async () => {
    const allow = await refuseInserts(server.app.ds, 'ClientCredentials');
    const rows = await countRows();
    let refused: Awaited<ReturnType<typeof callAdminApi>> | undefined;
    let failed: unknown;
    try {
      // On SQLite the token comes, and its use waits for the commit that fails.
      if (postgres()) failed = await token().catch((err: unknown) => err);
      else refused = await callAdminApi(server, await token(), 'GET', '/settings');
    } finally {
      await allow();
    }
    // openid-client reads no error body from a 500: the response itself is the cause.
    if (postgres()) expect(await (failed as { cause?: Response }).cause?.json()).toMatchObject({ error: 'server_error' });
    else {
      expect(refused!.status).toBe(401);
      expect(errors.filter((line) => line.includes('a token row was not stored') && line.includes('"model":"ClientCredentials"'))).toHaveLength(1);
    }
    expect(await countRows()).toBe(rows);
    // Nothing is left broken: the next token works.
    expect((await callAdminApi(server, await token(), 'GET', '/settings')).status).toBe(200);
  });

  it('writes a token answered before its commit before the database is closed', async () => {
    // A server of its own on a database that outlives it, closed while the row waits for another writer.
    const dir = mkdtempSync(join(tmpdir(), 'idp-closing-'));
    const db = await createTestDatabase(dir);
    const own = await startTestServer({ dir, databaseUrl: db.url });
    let closed: Promise<void> | undefined;
    try {
      const { clientSecret } = await own.app.services.clients.addServiceAccount('closing-bot', 'admin');
      const config = await oidc.discovery(new URL(own.url), 'closing-bot', undefined, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
      const release = later();
      const locked = later();
      const blocker = own.app.ds.transaction(async (manager) => {
        if (own.app.ds.options.type === 'postgres') await manager.query('LOCK TABLE oidc_payloads IN EXCLUSIVE MODE');
        locked.resolve();
        await release.promise;
      });
      await locked.promise;
      const grant = oidc.clientCredentialsGrant(config, { scope: 'idp:admin' });
      // On PostgreSQL the answer waits for the row.
      if (own.app.ds.options.type === 'postgres') setTimeout(release.resolve, 200);
      expect((await grant).access_token).toBeTruthy();
      closed = own.close();
      closed.catch(() => undefined);
      await pause(200);
      release.resolve();
      await blocker;
      await closed;
      const ds = await openDatabase(own.config.database);
      try {
        const [{ n }] = (await ds.query(`SELECT COUNT(*) AS n FROM oidc_payloads WHERE model = 'ClientCredentials'`)) as Array<{ n: number | string }>;
        expect(Number(n)).toBe(1);
      } finally {
        await ds.destroy();
      }
    } finally {
      if (!closed) await own.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
