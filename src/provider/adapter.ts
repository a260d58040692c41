// oidc-provider's storage adapter on TypeORM: one table for every model, clients from their own table.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { LessThan, type DataSource } from 'typeorm';
import type { JsonObject } from '../persistence/columns.js';
import { OidcClientEntity } from '../persistence/entities/oidc-client.entity.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import type { Clock } from '../support/clock.js';
import { openClientMetadata } from '../clients/client-secret.js';
import type { SecretBox } from '../security/secret-box.js';

export interface AdapterClass {
  new (model: string): Adapter;
}

export function createAdapter(ds: DataSource, clock: Clock, box: SecretBox): AdapterClass {
  const payloads = ds.getRepository(OidcPayloadEntity);
  const clients = ds.getRepository(OidcClientEntity);

  const live = (row: OidcPayloadEntity | null): AdapterPayload | undefined => {
    if (!row || (row.expiresAt !== null && row.expiresAt <= clock.now())) return undefined;
    const payload = row.payload as AdapterPayload;
    return row.consumedAt !== null ? { ...payload, consumed: Math.floor(row.consumedAt / 1000) } : payload;
  };

  return class TypeOrmAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const row = {
        model: this.model,
        id,
        payload: payload as JsonObject,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        accountId: typeof payload.accountId === 'string' ? payload.accountId : null,
        expiresAt: expiresIn ? clock.now() + expiresIn * 1000 : null,
        consumedAt: null,
      };
      await payloads.upsert(row, ['model', 'id']);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const client = await clients.findOneBy({ clientId: id });
        return client ? ({ ...openClientMetadata(box, client.clientId, client.metadata), client_id: client.clientId } as AdapterPayload) : undefined;
      }
      return live(await payloads.findOneBy({ model: this.model, id }));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return live(await payloads.findOneBy({ model: this.model, userCode }));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return live(await payloads.findOneBy({ model: this.model, uid }));
    }

    async consume(id: string): Promise<void> {
      await payloads.update({ model: this.model, id }, { consumedAt: clock.now() });
    }

    async destroy(id: string): Promise<void> {
      await payloads.delete({ model: this.model, id });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await payloads.delete({ grantId });
    }
  };
}

/** Deletes rows whose lifetime has passed; run at start and then periodically. */
export async function removeExpiredPayloads(ds: DataSource, clock: Clock): Promise<number> {
  const res = await ds.getRepository(OidcPayloadEntity).delete({ expiresAt: LessThan(clock.now()) });
  return res.affected ?? 0;
}
