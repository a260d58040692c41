// A soft token (TOTP authenticator) of one user; the secret is sealed at rest.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

export type TokenState = 'pending' | 'active' | 'disabled';
export type TokenKind = 'app' | 'softtoken';

@Entity({ name: 'soft_tokens' })
@Index('idx_soft_tokens_user_name', ['userId', 'name'], { unique: true })
export class SoftTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 10, unique: true }) serial!: string;
  @Column({ type: 'varchar', length: 16 }) kind!: TokenKind;
  @Column({ type: 'varchar', length: 16 }) state!: TokenState;
  @Column({ type: 'varchar', length: 8 }) algorithm!: 'SHA1' | 'SHA256' | 'SHA512';
  @Column({ type: 'integer' }) digits!: 6 | 8;
  @Column({ type: 'integer' }) period!: number;
  /** Sealed secret; null until an activation has produced one. */
  @Column({ type: 'text', nullable: true }) secret!: string | null;
  /** A manual activation waits for the registration code before the token turns active. */
  @Column({ type: 'boolean', name: 'registration_pending', default: false }) registrationPending!: boolean;
  @EpochColumn({ name: 'activation_expires_at', nullable: true }) activationExpiresAt!: number | null;
  @EpochColumn({ name: 'last_step', nullable: true }) lastStep!: number | null;
  @Column({ type: 'integer', default: 0 }) drift!: number;
  @Column({ type: 'integer', name: 'failed_attempts', default: 0 }) failedAttempts!: number;
  @EpochColumn({ name: 'locked_until', nullable: true }) lockedUntil!: number | null;
  @EpochColumn({ name: 'last_used_at', nullable: true }) lastUsedAt!: number | null;
  @EpochColumn({ name: 'activated_at', nullable: true }) activatedAt!: number | null;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
}
