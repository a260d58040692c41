// The resource rule of one application: who may sign in and the assurance level it needs.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Level } from '../../authenticators/assurance.js';
import { EpochColumn, JsonColumn } from '../columns.js';

@Entity({ name: 'client_rules' })
export class ClientRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 200, name: 'client_id' }) clientId!: string;
  /** Group ids; empty means everyone. */
  @JsonColumn({ name: 'allowed_groups' }) allowedGroups!: string[];
  /** The weakest `acr` level the application accepts (assurance.ts). */
  @Column({ type: 'varchar', length: 64, name: 'min_acr' }) minLevel!: Level;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
}
