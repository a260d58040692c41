// Administrative actions on settings, applications and their rules, groups and the audit log.
import type { AuditFilter } from '../../audit/audit.service.js';
import { AppError } from '../../errors/app-error.js';
import type { ClientRule } from '../../clients/client-rule.service.js';
import type { NewClient } from '../../clients/client.schema.js';
import { CONSOLE_CLIENT_ID } from '../../console/console-client.js';
import type { Services } from '../../services.js';
import { requireRoleChange } from '../permissions.js';
import { type AdminContext, authorize } from './admin-context.js';

export class PolicyActions {
  constructor(private readonly s: Services) {}

  settings(admin: AdminContext) {
    authorize(admin, 'settings.read');
    return this.s.settings.list();
  }

  async updateSettings(admin: AdminContext, patch: Record<string, unknown>) {
    const ctx = authorize(admin, 'settings.write');
    if (Object.keys(patch).length) await this.s.settings.update(patch, ctx);
    return this.s.settings.list();
  }

  async resetSetting(admin: AdminContext, key: string) {
    await this.s.settings.reset(key, authorize(admin, 'settings.write'));
  }

  async clients(admin: AdminContext) {
    authorize(admin, 'clients.read');
    const clients = await this.s.clients.list();
    return Promise.all(clients.map(async (c) => ({ ...c, rule: await this.s.clientRules.get(c.clientId) })));
  }

  addClient(admin: AdminContext, input: NewClient) {
    return this.s.clients.add(input, authorize(admin, 'clients.write'));
  }

  updateClient(admin: AdminContext, clientId: string, input: Parameters<Services['clients']['update']>[1]) {
    const ctx = authorize(admin, 'clients.write');
    refuseBuiltIn(clientId);
    return this.s.clients.update(clientId, input, ctx);
  }

  async deleteClient(admin: AdminContext, clientId: string) {
    const ctx = authorize(admin, 'clients.write');
    refuseBuiltIn(clientId);
    await this.#protectServiceAccount(admin, clientId);
    return this.s.clients.delete(clientId, ctx);
  }

  async rotateSecret(admin: AdminContext, clientId: string) {
    const ctx = authorize(admin, 'clients.write');
    await this.#protectServiceAccount(admin, clientId);
    return this.s.clients.rotateSecret(clientId, ctx);
  }

  async rule(admin: AdminContext, clientId: string): Promise<ClientRule> {
    authorize(admin, 'clients.read');
    if (!(await this.s.clients.exists(clientId))) throw new AppError('client.not_found');
    return this.s.clientRules.get(clientId);
  }

  async setRule(admin: AdminContext, clientId: string, rule: ClientRule) {
    const ctx = authorize(admin, 'clients.write');
    if (!(await this.s.clients.exists(clientId))) throw new AppError('client.not_found');
    await this.s.clientRules.set(clientId, rule, ctx);
  }

  groups(admin: AdminContext) {
    authorize(admin, 'users.read');
    return this.s.groups.list();
  }

  createGroup(admin: AdminContext, name: string, description?: string) {
    return this.s.groups.create(name, description, authorize(admin, 'groups.write'));
  }

  deleteGroup(admin: AdminContext, groupId: string) {
    return this.s.groups.delete(groupId, authorize(admin, 'groups.write'));
  }

  async audit(admin: AdminContext, filter: AuditFilter) {
    authorize(admin, 'audit.read');
    const [events, total] = await Promise.all([this.s.audit.list(filter), this.s.audit.count(filter)]);
    return { total, events };
  }

  auditExport(admin: AdminContext, filter: AuditFilter) {
    authorize(admin, 'audit.read');
    return this.s.audit.exportLines(filter);
  }

  /**
   * A service account's secret is its role: whoever holds it acts as that role, so only a super
   * administrator may rotate (and so read) or delete an administrator's service account.
   */
  async #protectServiceAccount(admin: AdminContext, clientId: string): Promise<void> {
    const role = await this.s.clients.serviceAccountRole(clientId);
    if (role) requireRoleChange(admin.role, role, role);
  }
}

/** The console's own client is kept by the server at start; changing it would lock staff out until a restart. */
function refuseBuiltIn(clientId: string): void {
  if (clientId === CONSOLE_CLIENT_ID) throw new AppError('client.built_in');
}
