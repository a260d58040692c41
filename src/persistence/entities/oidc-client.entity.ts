// A registered OIDC client (relying party); metadata is what oidc-provider validates.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn, JsonColumn, type JsonObject } from '../columns.js';

@Entity({ name: 'oidc_clients' })
export class OidcClientEntity {
  @PrimaryColumn({ type: 'varchar', length: 200, name: 'client_id' }) clientId!: string;
  @JsonColumn() metadata!: JsonObject;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
}
