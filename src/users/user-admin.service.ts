// Administration of users: search, edit, disable, delete, lock, set a password (with history).
// Permission checks happen in the callers (pages, API); the guards that protect the last super
// administrator happen here, whoever calls.
import { Like, type DataSource, type Repository } from 'typeorm';
import { z } from 'zod';
import type { SuperadminGuard } from './superadmin-guard.js';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import type { NoticeKind, SecurityNoticeService } from '../notices/security-notice.service.js';
import { type Role, UserEntity } from '../persistence/entities/user.entity.js';
import type { LockoutService } from '../security/lockout.service.js';
import type { SessionRevoker } from '../provider/session-revoker.js';
import type { Clock } from '../support/clock.js';
import type { PasswordHasher } from './password-hasher.js';
import { newUserSchema, roles } from './user.schema.js';
import { checkNewPassword } from './password-policy.js';
import type { UserService } from './user.service.js';

export const userUpdateSchema = z
  .object({
    email: newUserSchema.shape.email.optional(),
    mobile: z.union([newUserSchema.shape.mobile.unwrap(), z.literal(''), z.null()]).optional(),
    name: z.string().trim().max(200).optional(),
    role: z.enum(roles).optional(),
  })
  .strict();

export interface UserPage {
  users: UserEntity[];
  total: number;
}

export class UserAdminService {
  readonly #users: Repository<UserEntity>;

  constructor(
    ds: DataSource,
    private readonly store: UserService,
    private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly lockout: LockoutService,
    private readonly guard: SuperadminGuard,
    private readonly notices: SecurityNoticeService,
    private readonly audit: AuditService,
    private readonly password: Config['password'],
    private readonly sessions: SessionRevoker,
  ) {
    // Read only: searches. Writes go through the user store.
    this.#users = ds.getRepository(UserEntity);
  }

  async search(query = '', page = 1, size = 25): Promise<UserPage> {
    const q = query.trim().toLowerCase().replace(/[%_]/g, '');
    const where = q ? [{ username: Like(`%${q}%`) }, { email: Like(`%${q}%`) }] : {};
    const take = Math.min(Math.max(size, 1), 100);
    const [users, total] = await this.#users.findAndCount({ where, order: { username: 'ASC' }, take, skip: (Math.max(page, 1) - 1) * take });
    return { users, total };
  }

  async get(userId: string): Promise<UserEntity> {
    const user = await this.#users.findOneBy({ id: userId });
    if (!user) throw new AppError('user.not_found');
    return user;
  }

  async update(userId: string, input: unknown, ctx: AuditContext = {}): Promise<UserEntity> {
    const parsed = userUpdateSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('user.invalid', { field: issue.path.join('.') || 'input', reason: issue.message });
    }
    const user = await this.get(userId);
    const patch = parsed.data;
    if (patch.email && patch.email !== user.email && (await this.#users.existsBy({ email: patch.email }))) throw new AppError('user.exists');
    if (patch.role && patch.role !== user.role && user.role === 'superadmin') await this.guard.beforeAccountChange(user);
    const changes: Partial<UserEntity> = {
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.mobile !== undefined ? { mobile: patch.mobile || null } : {}),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.role !== undefined ? { role: patch.role as Role } : {}),
    };
    await this.store.update(userId, changes);
    await this.audit.record({ ...ctx, type: 'user.updated', outcome: 'success', subject: userId, details: { fields: Object.keys(changes) } });
    return this.get(userId);
  }

  async setStatus(userId: string, status: 'active' | 'disabled', ctx: AuditContext = {}): Promise<void> {
    const user = await this.get(userId);
    if (status === 'disabled') await this.guard.beforeAccountChange(user);
    await this.store.update(userId, { status });
    await this.audit.record({ ...ctx, type: status === 'active' ? 'user.enabled' : 'user.disabled', outcome: 'success', subject: userId });
    if (status === 'disabled') await this.sessions.endAll(userId, 'disabled', ctx);
  }

  async delete(userId: string, ctx: AuditContext = {}): Promise<void> {
    const user = await this.get(userId);
    await this.guard.beforeAccountChange(user);
    await this.store.remove(userId);
    await this.audit.record({ ...ctx, type: 'user.deleted', outcome: 'success', subject: userId, details: { username: user.username } });
    await this.sessions.endAll(userId, 'deleted', ctx);
  }

  /** Until when a password set now by an administrator (or generated) may be used: TEMPORARY_PASSWORD_TTL. */
  temporaryPasswordExpiry(): number {
    return this.clock.now() + this.password.temporaryTtl * 1000;
  }

  /** Signs the account out everywhere (a lost or shared device): it signs in again with both factors. */
  async endSessions(userId: string, reason: 'administrator' | 'user', ctx: AuditContext = {}): Promise<number> {
    await this.get(userId);
    return this.sessions.endAll(userId, `signed_out_by_${reason}`, ctx);
  }

  /** An administrator's lock lasts until an administrator unlocks. */
  async lock(userId: string, ctx: AuditContext = {}): Promise<void> {
    const user = await this.get(userId);
    await this.guard.beforeAccountChange(user);
    await this.store.update(userId, { lockedAt: this.clock.now(), lockedUntil: null });
    await this.audit.record({ ...ctx, type: 'account.locked', outcome: 'success', subject: userId, details: { by: 'administrator' } });
    await this.sessions.endAll(userId, 'locked', ctx);
  }

  unlock(userId: string, ctx: AuditContext = {}): Promise<void> {
    return this.lockout.unlock(userId, ctx);
  }

  /**
   * Refused when too short, common, or among the last `historyCount` passwords. `temporary`: set by
   * an administrator for the user, who must replace it at the next sign-in (and within the
   * temporary password lifetime); otherwise the user chose it.
   */
  async setPassword(userId: string, password: string, ctx: AuditContext = {}, options: { temporary?: boolean; notice?: NoticeKind } = {}): Promise<void> {
    const user = await this.get(userId);
    checkNewPassword(password, this.password, user);
    const history = this.password.historyCount;
    if (history > 0) {
      for (const previous of await this.store.recentPasswordHashes(userId, history)) {
        if (await this.hasher.verify(previous, password)) {
          await this.audit.record({ ...ctx, type: 'user.password_set', outcome: 'failure', subject: userId, details: { reason: 'history' } });
          throw new AppError('password.reused');
        }
      }
    }
    // Keep only what the history needs (and the current one).
    await this.store.replacePassword(userId, await this.hasher.hash(password), history, options.temporary ? this.temporaryPasswordExpiry() : null);
    await this.audit.record({ ...ctx, type: 'user.password_set', outcome: 'success', subject: userId, details: { temporary: !!options.temporary } });
    // Whoever knew the old password is signed out everywhere.
    await this.sessions.endAll(userId, 'password_changed', ctx);
    await this.notices.notify(user, options.notice ?? 'password_changed', {}, ctx);
  }
}
