// A person who signs in; credentials and factors hang off it.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

export type Role = 'user' | 'helpdesk' | 'admin' | 'superadmin';
export type UserStatus = 'active' | 'disabled';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 100, unique: true }) username!: string;
  @Column({ type: 'varchar', length: 254, unique: true }) email!: string;
  @Column({ type: 'boolean', name: 'email_verified', default: false }) emailVerified!: boolean;
  @Column({ type: 'varchar', length: 32, nullable: true }) mobile!: string | null;
  @Column({ type: 'varchar', length: 200, default: '' }) name!: string;
  @Column({ type: 'varchar', length: 20, default: 'user' }) role!: Role;
  @Column({ type: 'varchar', length: 20, default: 'active' }) status!: UserStatus;
  @Column({ type: 'integer', name: 'failed_logins', default: 0 }) failedLogins!: number;
  @EpochColumn({ name: 'locked_at', nullable: true }) lockedAt!: number | null;
  @EpochColumn({ name: 'locked_until', nullable: true }) lockedUntil!: number | null;
  @EpochColumn({ name: 'last_login_at', nullable: true }) lastLoginAt!: number | null;
  /** When all of the account's sessions were last ended; a session of the provider's own pages begun before it is void. */
  @EpochColumn({ name: 'sessions_ended_at', nullable: true }) sessionsEndedAt!: number | null;
  /** Set while the password is temporary (set by an administrator or generated): it must be replaced at the next sign-in and stops working after this time. */
  @EpochColumn({ name: 'temporary_password_until', nullable: true }) temporaryPasswordUntil!: number | null;
  /** The language chosen in My Profile (en, fr); null: the browser's or the default one. */
  @Column({ type: 'varchar', length: 10, nullable: true }) locale!: string | null;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
}
