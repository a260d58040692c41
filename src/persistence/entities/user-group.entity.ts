// Membership of a user in a group.
import { Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'user_groups' })
export class UserGroupEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'user_id' }) userId!: string;
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'group_id' }) groupId!: string;
}
