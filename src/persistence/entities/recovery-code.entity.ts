// One recovery code of a user's current set: its keyed hash, and when it was used (single use).
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'recovery_codes' })
@Index('idx_recovery_codes_user_hash', ['userId', 'codeHash'], { unique: true })
export class RecoveryCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @Column({ type: 'varchar', length: 64, name: 'code_hash' }) codeHash!: string;
  @EpochColumn({ name: 'used_at', nullable: true }) usedAt!: number | null;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
