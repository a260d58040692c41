// One administrator-set value overriding the configuration default.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'settings' })
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) key!: string;
  /** JSON-encoded value. */
  @Column({ type: 'text' }) value!: string;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
  @Column({ type: 'varchar', length: 200, name: 'updated_by', nullable: true }) updatedBy!: string | null;
}
