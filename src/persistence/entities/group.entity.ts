// A group of users; application rules say which groups may sign in.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

@Entity({ name: 'access_groups' })
export class GroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) name!: string;
  @Column({ type: 'varchar', length: 200, default: '' }) description!: string;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
}
