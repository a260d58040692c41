// A one-time PIN sent for one purpose (an interaction), one at a time; only its keyed hash is stored.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

export type PinChannel = 'sms' | 'email';

@Entity({ name: 'one_time_pins' })
@Index('idx_pins_purpose', ['userId', 'purpose'], { unique: true })
export class OneTimePinEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @Column({ type: 'varchar', length: 200 }) purpose!: string;
  @Column({ type: 'varchar', length: 10 }) channel!: PinChannel;
  @Column({ type: 'varchar', length: 254 }) destination!: string;
  @Column({ type: 'varchar', length: 128, name: 'code_hash' }) codeHash!: string;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @EpochColumn({ name: 'expires_at' }) expiresAt!: number;
  @EpochColumn({ name: 'consumed_at', nullable: true }) consumedAt!: number | null;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
