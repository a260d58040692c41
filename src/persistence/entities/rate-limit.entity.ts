// A fixed-window counter (failures per client address), kept in the database so all processes share it.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'rate_limits' })
export class RateLimitEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) key!: string;
  @EpochColumn({ name: 'window_start' }) windowStart!: number;
  @Column({ type: 'integer', default: 0 }) count!: number;
}
