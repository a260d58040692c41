// Administrative actions on users, shared by the admin pages and the JSON API.
import type { NewUser } from '../../users/user.schema.js';
import type { Services } from '../../services.js';
import type { UserEntity } from '../../persistence/entities/user.entity.js';
import { randomPassword } from '../../security/random.js';
import { requireRoleChange } from '../permissions.js';
import { type AdminContext, authorize } from './admin-context.js';
import { checkNewPassword } from '../../users/password-policy.js';

export interface UserView {
  id: string;
  username: string;
  email: string;
  mobile: string | null;
  name: string;
  role: string;
  status: string;
  locked: boolean;
  failedLogins: number;
  lastLoginAt: number | null;
  /** Set while the password is one an administrator gave (the user replaces it at the next sign-in). */
  temporaryPasswordUntil: number | null;
  createdAt: number;
}

export class UserActions {
  constructor(private readonly s: Services) {}

  view(user: UserEntity): UserView {
    const { id, username, email, mobile, name, role, status, failedLogins, lastLoginAt, temporaryPasswordUntil, createdAt } = user;
    return { id, username, email, mobile, name, role, status, locked: this.s.lockout.isLocked(user), failedLogins, lastLoginAt, temporaryPasswordUntil, createdAt };
  }

  async search(admin: AdminContext, query: string, page: number) {
    authorize(admin, 'users.read');
    const result = await this.s.userAdmin.search(query, page);
    return { total: result.total, page, users: result.users.map((u) => this.view(u)) };
  }

  async get(admin: AdminContext, userId: string) {
    authorize(admin, 'users.read');
    const user = await this.s.userAdmin.get(userId);
    const groups = await this.s.groups.groupsOf(userId);
    return { ...this.view(user), groups: groups.map((g) => ({ id: g.id, name: g.name })) };
  }

  /** Where the account is signed in (its sessions at the provider). */
  async sessions(admin: AdminContext, userId: string) {
    authorize(admin, 'users.read');
    await this.s.userAdmin.get(userId);
    return this.s.accountSessions.list(userId);
  }

  /** Creates a user; without a password one is generated and returned once. */
  async create(admin: AdminContext, input: Partial<NewUser>) {
    const ctx = authorize(admin, 'users.write');
    requireRoleChange(admin.role, 'user', (input.role ?? 'user') as UserEntity['role']);
    const password = input.password || randomPassword();
    checkNewPassword(password, this.s.config.password, { username: input.username ?? '', email: input.email ?? '' });
    const user = await this.s.users.create({ ...input, password } as NewUser, ctx, { temporaryPasswordUntil: this.s.userAdmin.temporaryPasswordExpiry() });
    return { user: this.view(user), generatedPassword: input.password ? undefined : password };
  }

  async update(admin: AdminContext, userId: string, patch: Record<string, unknown>) {
    const ctx = authorize(admin, 'users.write');
    const user = await this.s.userAdmin.get(userId);
    if (typeof patch.role === 'string' || user.role === 'admin' || user.role === 'superadmin') {
      requireRoleChange(admin.role, user.role, (patch.role as UserEntity['role']) ?? user.role);
    }
    return this.view(await this.s.userAdmin.update(userId, patch, ctx));
  }

  async setStatus(admin: AdminContext, userId: string, status: 'active' | 'disabled') {
    const ctx = authorize(admin, 'users.write');
    await this.#protectPrivileged(admin, userId);
    await this.s.userAdmin.setStatus(userId, status, ctx);
  }

  async delete(admin: AdminContext, userId: string) {
    const ctx = authorize(admin, 'users.write');
    await this.#protectPrivileged(admin, userId);
    await this.s.userAdmin.delete(userId, ctx);
  }

  async lock(admin: AdminContext, userId: string) {
    const ctx = authorize(admin, 'users.write');
    await this.#protectPrivileged(admin, userId);
    await this.s.userAdmin.lock(userId, ctx);
  }

  async unlock(admin: AdminContext, userId: string) {
    const ctx = authorize(admin, 'users.unlock');
    await this.s.userAdmin.get(userId);
    await this.s.userAdmin.unlock(userId, ctx);
  }

  async signOut(admin: AdminContext, userId: string) {
    const ctx = authorize(admin, 'users.sessions');
    await this.#protectPrivileged(admin, userId);
    await this.s.userAdmin.endSessions(userId, 'administrator', ctx);
  }

  async setPassword(admin: AdminContext, userId: string, password: string) {
    const ctx = authorize(admin, 'users.password');
    await this.#protectPrivileged(admin, userId);
    await this.s.userAdmin.setPassword(userId, password, ctx, { temporary: true });
  }

  /** E-mails the user a link to choose a new password after proving themselves with a one-time PIN. */
  async sendResetLink(admin: AdminContext, userId: string): Promise<{ expiresAt: number }> {
    const ctx = authorize(admin, 'users.password');
    await this.#protectPrivileged(admin, userId);
    return this.s.passwordResets.issue(await this.s.userAdmin.get(userId), ctx);
  }

  async setGroups(admin: AdminContext, userId: string, groupIds: string[]) {
    const ctx = authorize(admin, 'groups.write');
    await this.s.userAdmin.get(userId);
    await this.s.groups.setMembership(userId, groupIds, ctx);
  }

  /** Only a super administrator acts on administrators' accounts. */
  async #protectPrivileged(admin: AdminContext, userId: string): Promise<void> {
    const target = await this.s.userAdmin.get(userId);
    requireRoleChange(admin.role, target.role, target.role);
  }
}
