// oidc-provider's storage adapter: one table for every model, clients from the client service.
// Every OIDC request goes through it several times, so it speaks plain parameterised SQL (the same
// text on SQLite and PostgreSQL) rather than building each query through the ORM.
//
// Tokens at rest (DESIGN §8): a row whose id a client or browser presents (a code, a token, a
// session cookie) is stored under HMAC-SHA256(server key, id), and its payload keeps no copy of the
// value, so a dump or a backup holds nothing that can be replayed. One HMAC per call.
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import { LessThan, type DataSource } from 'typeorm';
import type { JsonObject } from '../persistence/columns.js';
import { sqlFor } from '../persistence/kept-update.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import type { Clock } from '../support/clock.js';
import { holdingRequest, holdWrite } from './held-writes.js';
import { RequestWrites, runWrite } from './request-writes.js';
import { type KeptRow, RecentRows } from './recent-rows.js';
import { ReusedGrant } from './reused-grant.js';
import { type BatchStatement, Unclaimed, WriteBatcher } from './write-batcher.js';

export interface AdapterClass {
  new (model: string): Adapter;
  /**
   * Settles once the rows answered before their commit so far (ANSWERED_BEFORE_COMMIT) are committed
   * or refused: awaited before the database is closed, and before a client's tokens are deleted.
   */
  settled(): Promise<void>;
}

/**
 * Models whose id is a bearer value. Not here: Interaction (its uid is in the page URL and needs a
 * signed cookie besides), Grant (never leaves the server), ReplayDetection (a hash already),
 * Client (not stored here).
 */
export const HASHED_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
  'PreAuthorizedCode',
  'Session',
]);

/**
 * Payload fields holding a bearer value that oidc-provider reads back, so they cannot be hashed:
 * sealed with AES-GCM under a key derived from the server key. A device code's own id, because
 * `findByUserCode` must hand it back (the provider saves the code again under it); the device code
 * an interaction continues; a pre-authorized code's transaction code. None is on a hot path.
 */
const SEALED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  DeviceCode: ['jti'],
  Interaction: ['deviceCode'],
  PreAuthorizedCode: ['txCode'],
};

interface Row {
  payload: string;
  expires_at: string | number | null;
  consumed_at: string | number | null;
}

/** Models whose rows the adapter keeps as it writes them, on SQLite (recent-rows.ts). */
const KEPT_MODELS: ReadonlySet<string> = new Set(['Interaction']);

/**
 * Models whose row, if lost, only makes its own bearer value refused, and on which no other row
 * rests: the opaque access token of the client-credentials grant (one row; no grant, no refresh
 * token, no session). On SQLite, its token response does not wait for the commit (README,
 * Benchmarks): a find of the row in this process (introspection, a revocation, the admin API)
 * waits for it instead, and if the commit fails, or the server dies before it, the token is
 * unknown and refused: it fails closed, and the client asks for another as it does when one
 * expires. Every other row is on disk before the response that names it leaves.
 */
const ANSWERED_BEFORE_COMMIT: ReadonlySet<string> = new Set(['ClientCredentials']);

/**
 * At most this many such rows wait for their commit at once; beyond, a response waits for its row
 * as any other does (while commits stall, tokens are not handed out faster than they are stored).
 */
const MAX_ANSWERED_BEFORE_COMMIT = 128;

/**
 * How long a write's caller waits: for the commit; for the response of the request that holds its
 * writes (held-writes.ts), the default; or only a later find of the row (ANSWERED_BEFORE_COMMIT).
 */
type Wait = 'commit' | 'response' | 'find';

type Stored = Record<string, unknown>;

const COLUMNS = 'payload, expires_at, consumed_at';

// user_code is kept when a device code found by its id (payload without the user code) is saved again;
// consumed_at is kept whatever is saved: a grant once used is never made usable again by a save (a
// device code confirmed a second time after the device took its tokens would give a second set).
// For n rows at once (write-batcher.ts), the VALUES list repeats with the parameters numbered on.
const UPSERT_FIELDS = 9;
const upsertValues = (rows: number) =>
  Array.from({ length: rows }, (_, r) => `(${Array.from({ length: UPSERT_FIELDS }, (_, f) => `$${r * UPSERT_FIELDS + f + 1}`).join(', ')}, NULL)`).join(', ');
const upsert = (rows: number) => `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at, consumed_at)
  VALUES ${upsertValues(rows)}
  ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
    user_code = COALESCE(excluded.user_code, oidc_payloads.user_code),
    uid = excluded.uid, account_id = excluded.account_id, client_id = excluded.client_id, expires_at = excluded.expires_at`;
const UPSERT = upsert(1);
// Consuming claims the row: only an unused one is marked, and the rows marked come back (reused-grant.ts).
const CONSUME = 'UPDATE oidc_payloads SET consumed_at = $3 WHERE model = $1 AND id = $2 AND consumed_at IS NULL RETURNING model, id';
// n rows consumed at once (SQLite only, as the batcher is): the rows' (model, id, time) as a table.
const consume = (rows: number) => `UPDATE oidc_payloads SET consumed_at = v.at
  FROM (${Array.from({ length: rows }, (_, r) => `SELECT $${r * 3 + 1} AS model, $${r * 3 + 2} AS id, $${r * 3 + 3} AS at`).join(' UNION ALL ')}) AS v
  WHERE oidc_payloads.model = v.model AND oidc_payloads.id = v.id AND oidc_payloads.consumed_at IS NULL
  RETURNING oidc_payloads.model, oidc_payloads.id`;

/** AES-256-GCM, `base64url(iv ‖ ciphertext ‖ tag)`; the field name is bound in as associated data. */
function sealer(key: KeyObject) {
  return {
    seal(field: string, value: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(field));
      return Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url');
    },
    open(field: string, sealed: string): string | undefined {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 28) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(field));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * `clientMetadata` reads a registered client (ClientService.metadataFor); `idKey` is the server's
 * secret for the keyed hash of ids (secret store, 'payload-id-key').
 */
export function createAdapter(
  ds: DataSource,
  clock: Clock,
  clientMetadata: (clientId: string) => Promise<JsonObject | undefined>,
  idKey: Buffer,
  /** Told of a row answered before its commit whose commit then failed (its token is refused). */
  lost: (model: string, err: unknown) => void = () => undefined,
): AdapterClass {
  const hmacKey = createSecretKey(idKey);
  const seals = sealer(createSecretKey(Buffer.from(hkdfSync('sha256', idKey, '', 'oidc payload fields', 32))));
  const hash = (value: string) => createHmac('sha256', hmacKey).update(value).digest('base64url');
  const sql = sqlFor(ds);
  // SQLite: concurrent writes share one commit (write-batcher.ts); PostgreSQL commits per connection.
  const batcher = ds.options.type === 'postgres' ? undefined : new WriteBatcher(ds);
  const recent = batcher && new RecentRows();
  // PostgreSQL: a request's writes kept for one transaction (request-writes.ts).
  const requestWrites = batcher ? undefined : new RequestWrites(ds);
  // Rows written by a request that holds its writes (held-writes.ts), until they are committed: a
  // find of one of them waits for its commit, so another request never reads around it.
  const uncommitted = new Map<string, Promise<void>>();
  // The writes of rows answered before their commit, until they settle.
  const early = new Set<Promise<void>>();
  /**
   * `row` (model and row id) names the one row the write touches; only such a write may be held, and
   * only in a request that holds its writes, unless `wait` is 'commit' (a kept row must be committed
   * before it is kept). `refusal` is the error for a claim refused (write-batcher.ts); a held one
   * reaches the request's end (held-writes.ts), and so does one on PostgreSQL (request-writes.ts),
   * besides being thrown.
   */
  const write = async (statement: BatchStatement | string, params: unknown[], row?: string, wait: Wait = 'response', refusal?: () => Error): Promise<void> => {
    const refused = (err: unknown) => (err instanceof Unclaimed && refusal ? refusal() : err);
    const request = row === undefined || wait === 'commit' ? undefined : holdingRequest();
    if (!batcher) {
      if (request) return requestWrites!.keep(request, { statement, params, refusal }, row!);
      await runWrite(ds, { statement, params, refusal });
      return;
    }
    const committed = batcher.write(statement, params, row, request).catch((err: unknown) => {
      throw refused(err);
    });
    if (row === undefined || request === undefined) return committed;
    if (wait === 'find' && early.size < MAX_ANSWERED_BEFORE_COMMIT) {
      early.add(committed);
      committed.catch((err: unknown) => lost(row.slice(0, row.indexOf('\0')), err)).finally(() => early.delete(committed));
    } else holdWrite(request, committed);
    uncommitted.set(row, committed);
    const forget = () => void (uncommitted.get(row) === committed && uncommitted.delete(row));
    committed.then(forget, forget);
  };
  /** A statement with its multi-row forms, each made once. */
  const batchable = (one: string, rows: (n: number) => string): BatchStatement => {
    const made = new Map<number, string>();
    return { sql: sql(one), forRows: (n) => made.get(n) ?? made.set(n, sql(rows(n))).get(n)! };
  };
  const statements = {
    upsert: batchable(UPSERT, upsert),
    byId: sql(`SELECT ${COLUMNS} FROM oidc_payloads WHERE model = $1 AND id = $2`),
    byUserCode: sql(`SELECT ${COLUMNS} FROM oidc_payloads WHERE model = $1 AND user_code = $2`),
    byUid: sql(`SELECT ${COLUMNS} FROM oidc_payloads WHERE model = $1 AND uid = $2`),
    consume: { ...batchable(CONSUME, consume), claimed: (r: Record<string, unknown>) => `${String(r.model)}\0${String(r.id)}` },
    destroy: sql('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2'),
    revokeByGrantId: sql('DELETE FROM oidc_payloads WHERE grant_id = $1'),
  };

  const one = async (query: string, params: unknown[]): Promise<Stored | undefined> => live(((await ds.query(query, params)) as Row[])[0]);
  const live = (row: Row | undefined): Stored | undefined => {
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= clock.now())) return undefined;
    const payload = JSON.parse(row.payload) as Stored;
    return row.consumed_at !== null ? { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) } : payload;
  };

  return class SqlAdapter implements Adapter {
    readonly #hashed: boolean;
    readonly #sealed: readonly string[];
    readonly #recent: RecentRows | undefined;
    /** How long a save waits. */
    readonly #wait: Wait;

    static async settled(): Promise<void> {
      await Promise.allSettled([...early]);
    }

    constructor(private readonly model: string) {
      this.#hashed = HASHED_MODELS.has(model);
      this.#sealed = SEALED_FIELDS[model] ?? [];
      this.#recent = KEPT_MODELS.has(model) ? recent : undefined;
      this.#wait = KEPT_MODELS.has(model) ? 'commit' : ANSWERED_BEFORE_COMMIT.has(model) && batcher ? 'find' : 'response';
    }

    /** The row id: the keyed hash of a bearer value, other ids as they are. */
    #rowId(id: string): string {
      return this.#hashed ? hash(id) : id;
    }

    /** The key of a row in `uncommitted`. */
    #row(rowId: string): string {
      return `${this.model}\0${rowId}`;
    }

    /** What is written: no bearer value in the clear (the user code goes, hashed, in its own column). */
    #toStored(payload: AdapterPayload): Stored {
      const stored: Stored = { ...payload };
      for (const field of this.#sealed) {
        if (typeof stored[field] === 'string') stored[field] = seals.seal(field, stored[field] as string);
      }
      if (this.#hashed && !this.#sealed.includes('jti')) delete stored.jti;
      delete stored.userCode;
      // oidc-provider copies the session cookie's value into an interaction and never reads it back.
      if (payload.session?.cookie !== undefined) stored.session = { ...payload.session, cookie: undefined };
      return stored;
    }

    /** What oidc-provider gets back; `id` is the value the caller presented, when it did. */
    #fromStored(stored: Stored | undefined, id?: string): AdapterPayload | undefined {
      if (!stored) return undefined;
      for (const field of this.#sealed) {
        if (typeof stored[field] === 'string') stored[field] = seals.open(field, stored[field] as string);
      }
      if (this.#hashed && id !== undefined) stored.jti = id;
      return stored as AdapterPayload;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
      const clientId = typeof payload.clientId === 'string' ? payload.clientId : null;
      const userCode = typeof payload.userCode === 'string' ? hash(payload.userCode) : null;
      const expiresAt = expiresIn ? clock.now() + expiresIn * 1000 : null;
      const stored = JSON.stringify(this.#toStored(payload));
      const rowId = this.#rowId(id);
      const row = this.#row(rowId);
      const kept = this.#recent?.writing(row);
      try {
        // An interaction's write is never held: it is committed when this returns (and, on SQLite, kept).
        await write(statements.upsert, [this.model, rowId, stored, payload.grantId ?? null, userCode, payload.uid ?? null, accountId, clientId, expiresAt], row, this.#wait);
      } catch (err) {
        kept?.failed();
        throw err;
      }
      kept?.committed({ payload: stored, expires_at: expiresAt, consumed_at: null } satisfies KeptRow, expiresIn ? expiresIn * 1000 : undefined);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await clientMetadata(id)) as AdapterPayload | undefined;
      const rowId = this.#rowId(id);
      const kept = this.#recent?.get(this.#row(rowId));
      if (kept) return this.#fromStored(live(kept), id);
      // Never from inside ds.transaction on SQLite: the commit waited for waits for that transaction to end.
      await uncommitted.get(this.#row(rowId))?.catch(() => undefined);
      const request = requestWrites && holdingRequest();
      if (request) await requestWrites!.beforeRead(request, this.#row(rowId));
      return this.#fromStored(await one(statements.byId, [this.model, rowId]), id);
    }

    /** A user code with its device code is a bearer pair: looked up by its hash, never stored. */
    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const payload = this.#fromStored(await one(statements.byUserCode, [this.model, hash(userCode)]));
      return payload && { ...payload, userCode };
    }

    /** Sessions by uid come back without their id: oidc-provider only reads them (account, grant). */
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.#fromStored(await one(statements.byUid, [this.model, uid]));
    }

    /** Claims the row: a request that finds it used already (or gone) is refused (reused-grant.ts). */
    async consume(id: string): Promise<void> {
      const rowId = this.#rowId(id);
      this.#recent?.drop(this.#row(rowId));
      await write(statements.consume, [this.model, rowId, clock.now()], this.#row(rowId), 'response', () => this.#reused());
    }

    /** The refusal of a grant claimed already; a pushed request's as oidc-provider words its own. */
    #reused(): Error {
      return this.model === 'PushedAuthorizationRequest' ? new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used') : new ReusedGrant();
    }

    async destroy(id: string): Promise<void> {
      const rowId = this.#rowId(id);
      this.#recent?.drop(this.#row(rowId));
      await write(statements.destroy, [this.model, rowId], this.#row(rowId));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      recent?.dropAll();
      await write(statements.revokeByGrantId, [grantId]);
    }
  };
}

/** Deletes rows whose lifetime has passed; run at start and then periodically. */
export async function removeExpiredPayloads(ds: DataSource, clock: Clock): Promise<number> {
  const res = await ds.getRepository(OidcPayloadEntity).delete({ expiresAt: LessThan(clock.now()) });
  return res.affected ?? 0;
}
