// Who may do what in administration. Help desk fixes people; administrators also set policy;
// super administrators also manage administrators.
import { AppError } from '../errors/app-error.js';
import type { Role } from '../persistence/entities/user.entity.js';

export type Permission =
  | 'users.read'
  | 'users.write'
  | 'users.unlock'
  | 'users.sessions'
  | 'users.password'
  | 'tokens.read'
  | 'tokens.help'
  | 'tokens.write'
  | 'passkeys.read'
  | 'passkeys.delete'
  | 'settings.read'
  | 'settings.write'
  | 'clients.read'
  | 'clients.write'
  | 'groups.write'
  | 'audit.read'
  | 'roles.admin';

// Help desk deletes a lost passkey (the guard keeps the account's last way in); taking the last one
// is an administrator's call, as for tokens (`tokens.write`).
const helpdesk: Permission[] = ['users.read', 'users.unlock', 'users.sessions', 'tokens.read', 'tokens.help', 'passkeys.read', 'passkeys.delete', 'settings.read', 'clients.read', 'audit.read'];
const admin: Permission[] = [...helpdesk, 'users.write', 'users.password', 'tokens.write', 'settings.write', 'clients.write', 'groups.write'];

const grants: Record<Role, ReadonlySet<Permission>> = {
  user: new Set(),
  helpdesk: new Set(helpdesk),
  admin: new Set(admin),
  superadmin: new Set([...admin, 'roles.admin']),
};

export const staffRoles: Role[] = ['helpdesk', 'admin', 'superadmin'];

export function can(role: Role, permission: Permission): boolean {
  return grants[role]?.has(permission) ?? false;
}

export function requirePermission(role: Role, permission: Permission): void {
  if (!can(role, permission)) throw new AppError('admin.forbidden');
}

/** Only a super administrator may give or touch the administrator roles. */
export function requireRoleChange(actorRole: Role, fromRole: Role, toRole: Role): void {
  const privileged = (r: Role) => r === 'admin' || r === 'superadmin';
  if ((privileged(fromRole) || privileged(toRole)) && actorRole !== 'superadmin') throw new AppError('admin.forbidden');
}
