// One line of the audit trail: who did what to whom, when, from where, and how it ended.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn, JsonColumn, type JsonObject } from '../columns.js';

export type Outcome = 'success' | 'failure';

@Entity({ name: 'audit_events' })
@Index('idx_audit_at', ['at'])
@Index('idx_audit_subject', ['subject'])
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @EpochColumn() at!: number;
  @Column({ type: 'varchar', length: 80 }) type!: string;
  @Column({ type: 'varchar', length: 20 }) outcome!: Outcome;
  @Column({ type: 'varchar', length: 200, nullable: true }) actor!: string | null;
  @Column({ type: 'varchar', length: 36, nullable: true }) subject!: string | null;
  @Column({ type: 'varchar', length: 200, name: 'client_id', nullable: true }) clientId!: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip!: string | null;
  @JsonColumn() details!: JsonObject;
}
