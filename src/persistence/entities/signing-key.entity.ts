// A private signing key (encrypted at rest). `next`: published, not yet signing (staged rotation);
// `active`: signs; `retired`: stays published until every token it signed has expired.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

export type KeyStatus = 'next' | 'active' | 'retired';

@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) kid!: string;
  @Column({ type: 'varchar', length: 16 }) alg!: string;
  @Column({ type: 'text' }) jwk!: string;
  @Column({ type: 'varchar', length: 16 }) status!: KeyStatus;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
  @EpochColumn({ name: 'retired_at', nullable: true }) retiredAt!: number | null;
}
