// A secret a user proves knowledge of (the password today); the newest row of a type is current.
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

export type CredentialType = 'password';

@Entity({ name: 'credentials' })
@Index('idx_credentials_user', ['userId', 'type'])
export class CredentialEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @Column({ type: 'varchar', length: 20 }) type!: CredentialType;
  @Column({ type: 'text' }) secret!: string;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
