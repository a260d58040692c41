// A passkey (WebAuthn credential) of one user: what verifying its assertions needs, and its flags.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn, JsonColumn } from '../columns.js';

// The signature counter is a uint32: past PostgreSQL's integer, so a bigint (read back as a string there).
const uint32 = {
  to: (v: number) => v,
  from: (v: string | number) => Number(v),
};

@Entity({ name: 'passkeys' })
@Index('idx_passkeys_user_name', ['userId', 'name'], { unique: true })
export class PasskeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  /** base64url, as the browser sends it back (`id` of the response). */
  @Column({ type: 'varchar', length: 1400, name: 'credential_id', unique: true }) credentialId!: string;
  /** The COSE public key, base64url: text works alike on SQLite and PostgreSQL. */
  @Column({ type: 'text', name: 'public_key' }) publicKey!: string;
  @Column({ type: 'bigint', transformer: uint32, default: 0 }) counter!: number;
  @JsonColumn() transports!: string[];
  /** Whether the credential may be synced to other devices (fixed at creation). */
  @Column({ type: 'boolean', name: 'backup_eligible', default: false }) backupEligible!: boolean;
  /** Whether it is synced now (may change at each use). */
  @Column({ type: 'boolean', name: 'backup_state', default: false }) backupState!: boolean;
  @Column({ type: 'varchar', length: 36 }) aaguid!: string;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
  @EpochColumn({ name: 'last_used_at', nullable: true }) lastUsedAt!: number | null;
}
