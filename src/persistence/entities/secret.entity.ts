// Named server secrets generated on first start (cookie keys, PIN pepper), encrypted at rest.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'secrets' })
export class SecretEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'text' }) value!: string;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
