// The resource rule of one application: who may sign in and which second factor it demands.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn, JsonColumn } from '../columns.js';

/** `token`: soft token only; `pin`: one-time PIN only; `either`: whichever the account has. */
export type SecondFactorRule = 'token' | 'pin' | 'either';

@Entity({ name: 'client_rules' })
export class ClientRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 200, name: 'client_id' }) clientId!: string;
  /** Group ids; empty means everyone. */
  @JsonColumn({ name: 'allowed_groups' }) allowedGroups!: string[];
  @Column({ type: 'varchar', length: 16, name: 'second_factor' }) secondFactor!: SecondFactorRule;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
}
