// Who performs an administrative action, and from where: the input of every admin action.
import type { AuditContext } from '../../audit/audit.service.js';
import type { Role } from '../../persistence/entities/user.entity.js';
import { type Permission, requirePermission } from '../permissions.js';

export interface AdminContext {
  /** A user id, or client:<id> for a service account. */
  actor: string;
  role: Role;
  ip?: string | null;
}

/** Checks the permission and returns the audit context for the services. */
export function authorize(admin: AdminContext, permission: Permission): AuditContext {
  requirePermission(admin.role, permission);
  return { actor: admin.actor, ip: admin.ip ?? null };
}
