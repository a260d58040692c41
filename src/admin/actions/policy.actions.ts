// Administrative actions on settings, applications and their rules, groups and the audit log.
import type { AuditFilter } from '../../audit/audit.service.js';
import { AppError } from '../../errors/app-error.js';
import type { ClientRule } from '../../clients/client-rule.service.js';
import type { NewClient } from '../../clients/client.schema.js';
import type { Services } from '../../services.js';
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
    return this.s.clients.update(clientId, input, authorize(admin, 'clients.write'));
  }

  deleteClient(admin: AdminContext, clientId: string) {
    return this.s.clients.delete(clientId, authorize(admin, 'clients.write'));
  }

  rotateSecret(admin: AdminContext, clientId: string) {
    return this.s.clients.rotateSecret(clientId, authorize(admin, 'clients.write'));
  }

  async setRule(admin: AdminContext, clientId: string, rule: ClientRule) {
    const ctx = authorize(admin, 'clients.write');
    if (!(await this.s.clients.exists(clientId))) throw new AppError('client.not_found', 404);
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
}
