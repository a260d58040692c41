// oidc-provider's storage adapter: one table for every model, clients from the client service.
// Every OIDC request goes through it several times, so it speaks plain parameterised SQL (the same
// text on SQLite and PostgreSQL) rather than building each query through the ORM.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { LessThan, type DataSource } from 'typeorm';
import type { JsonObject } from '../persistence/columns.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import type { Clock } from '../support/clock.js';

export interface AdapterClass {
  new (model: string): Adapter;
}

interface Row {
  payload: string;
  expires_at: string | number | null;
  consumed_at: string | number | null;
}

const COLUMNS = 'payload, expires_at, consumed_at';

const UPSERT = `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, account_id, client_id, expires_at, consumed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)
  ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
    uid = excluded.uid, account_id = excluded.account_id, client_id = excluded.client_id, expires_at = excluded.expires_at, consumed_at = NULL`;

/** `$1`-style parameters as the database wants them (SQLite: `?1`). */
function sqlFor(ds: DataSource): (sql: string) => string {
  return ds.options.type === 'postgres' ? (sql) => sql : (sql) => sql.replace(/\$(\d+)/g, '?$1');
}

/** `clientMetadata` reads a registered client (ClientService.metadataFor). */
export function createAdapter(ds: DataSource, clock: Clock, clientMetadata: (clientId: string) => Promise<JsonObject | undefined>): AdapterClass {
  const sql = sqlFor(ds);
  const statements = {
    upsert: sql(UPSERT),
    byId: sql(`SELECT ${COLUMNS} FROM oidc_payloads WHERE model = $1 AND id = $2`),
    byUserCode: sql(`SELECT ${COLUMNS} FROM oidc_payloads WHERE model = $1 AND user_code = $2`),
    byUid: sql(`SELECT ${COLUMNS} FROM oidc_payloads WHERE model = $1 AND uid = $2`),
    consume: sql('UPDATE oidc_payloads SET consumed_at = $3 WHERE model = $1 AND id = $2'),
    destroy: sql('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2'),
    revokeByGrantId: sql('DELETE FROM oidc_payloads WHERE grant_id = $1'),
  };

  const one = async (query: string, params: unknown[]): Promise<AdapterPayload | undefined> => {
    const [row] = (await ds.query(query, params)) as Row[];
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= clock.now())) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    return row.consumed_at !== null ? { ...payload, consumed: Math.floor(Number(row.consumed_at) / 1000) } : payload;
  };

  return class SqlAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
      const clientId = typeof payload.clientId === 'string' ? payload.clientId : null;
      const expiresAt = expiresIn ? clock.now() + expiresIn * 1000 : null;
      await ds.query(statements.upsert, [this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, accountId, clientId, expiresAt]);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await clientMetadata(id)) as AdapterPayload | undefined;
      return one(statements.byId, [this.model, id]);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return one(statements.byUserCode, [this.model, userCode]);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return one(statements.byUid, [this.model, uid]);
    }

    async consume(id: string): Promise<void> {
      await ds.query(statements.consume, [this.model, id, clock.now()]);
    }

    async destroy(id: string): Promise<void> {
      await ds.query(statements.destroy, [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await ds.query(statements.revokeByGrantId, [grantId]);
    }
  };
}

/** Deletes rows whose lifetime has passed; run at start and then periodically. */
export async function removeExpiredPayloads(ds: DataSource, clock: Clock): Promise<number> {
  const res = await ds.getRepository(OidcPayloadEntity).delete({ expiresAt: LessThan(clock.now()) });
  return res.affected ?? 0;
}
