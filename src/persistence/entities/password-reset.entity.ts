// A password reset link an administrator sent: only the SHA-256 of its token is stored. The row
// also remembers that the holder proved themselves with a one-time PIN, so the new password can be
// set only after that, and only once.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'password_resets' })
@Index('idx_password_resets_user', ['userId'])
export class PasswordResetEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @Column({ type: 'varchar', length: 64, name: 'token_hash', unique: true }) tokenHash!: string;
  @EpochColumn({ name: 'expires_at' }) expiresAt!: number;
  @EpochColumn({ name: 'pin_verified_at', nullable: true }) pinVerifiedAt!: number | null;
  /** Wrong PINs over every PIN sent for this reset; at the limit the reset dies. */
  @Column({ type: 'integer', name: 'pin_failures', default: 0 }) pinFailures!: number;
  @EpochColumn({ name: 'used_at', nullable: true }) usedAt!: number | null;
  /** Set when a newer link replaced this one, or too many wrong PINs killed it. */
  @EpochColumn({ name: 'voided_at', nullable: true }) voidedAt!: number | null;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
