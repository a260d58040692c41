// Everything oidc-provider stores (sessions, interactions, grants, codes, tokens) in one table; each
// lookup column's index holds only the rows that have a value in it.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn, JsonColumn, type JsonObject } from '../columns.js';

@Entity({ name: 'oidc_payloads' })
@Index('idx_oidc_grant', ['grantId'], { where: 'grant_id IS NOT NULL' })
@Index('idx_oidc_uid', ['uid'], { where: 'uid IS NOT NULL' })
@Index('idx_oidc_user_code', ['userCode'], { where: 'user_code IS NOT NULL' })
@Index('idx_oidc_expires', ['expiresAt'])
@Index('idx_oidc_account', ['accountId'], { where: 'account_id IS NOT NULL' })
@Index('idx_oidc_client', ['clientId'], { where: 'client_id IS NOT NULL' })
export class OidcPayloadEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 }) model!: string;
  @PrimaryColumn({ type: 'varchar', length: 200 }) id!: string;
  @JsonColumn() payload!: JsonObject;
  @Column({ type: 'varchar', length: 200, name: 'grant_id', nullable: true }) grantId!: string | null;
  @Column({ type: 'varchar', length: 200, name: 'user_code', nullable: true }) userCode!: string | null;
  @Column({ type: 'varchar', length: 200, nullable: true }) uid!: string | null;
  /** Whose session, grant or token this is (null for interactions and the like). */
  @Column({ type: 'varchar', length: 200, name: 'account_id', nullable: true }) accountId!: string | null;
  /** The application it was issued to (null for sessions, interactions and the like). */
  @Column({ type: 'varchar', length: 200, name: 'client_id', nullable: true }) clientId!: string | null;
  @EpochColumn({ name: 'expires_at', nullable: true }) expiresAt!: number | null;
  @EpochColumn({ name: 'consumed_at', nullable: true }) consumedAt!: number | null;
}
