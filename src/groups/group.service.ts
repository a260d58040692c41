// Groups of users, which application rules refer to.
import { randomUUID } from 'node:crypto';
import { In, type DataSource, type Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { ClientRuleEntity } from '../persistence/entities/client-rule.entity.js';
import { GroupEntity } from '../persistence/entities/group.entity.js';
import { UserGroupEntity } from '../persistence/entities/user-group.entity.js';
import type { Clock } from '../support/clock.js';

export class GroupService {
  readonly #groups: Repository<GroupEntity>;
  readonly #members: Repository<UserGroupEntity>;
  readonly #rules: Repository<ClientRuleEntity>;

  constructor(ds: DataSource, private readonly clock: Clock, private readonly audit: AuditService) {
    this.#groups = ds.getRepository(GroupEntity);
    this.#members = ds.getRepository(UserGroupEntity);
    this.#rules = ds.getRepository(ClientRuleEntity);
  }

  list(): Promise<GroupEntity[]> {
    return this.#groups.find({ order: { name: 'ASC' } });
  }

  async create(name: string, description = '', ctx: AuditContext = {}): Promise<GroupEntity> {
    const clean = name.trim();
    if (!/^[A-Za-z0-9 ._-]{2,100}$/.test(clean)) throw new AppError('group.invalid');
    if (await this.#groups.existsBy({ name: clean })) throw new AppError('group.exists');
    const group = { id: randomUUID(), name: clean, description: description.trim().slice(0, 200), createdAt: this.clock.now() };
    await this.#groups.insert(group);
    await this.audit.record({ ...ctx, type: 'group.created', outcome: 'success', details: { group: clean } });
    return group;
  }

  async delete(groupId: string, ctx: AuditContext = {}): Promise<void> {
    const group = await this.#groups.findOneBy({ id: groupId });
    if (!group) throw new AppError('group.not_found');
    // A rule naming a group that is gone would let nobody in: the rule changes first, on purpose.
    const applications = await this.applicationsRequiring(groupId);
    if (applications.length) throw new AppError('group.in_use', { applications: applications.join(', ') });
    await this.#groups.delete({ id: groupId });
    await this.audit.record({ ...ctx, type: 'group.deleted', outcome: 'success', details: { group: group.name } });
  }

  /** Applications whose access rule lets this group in. */
  async applicationsRequiring(groupId: string): Promise<string[]> {
    const rules = await this.#rules.find({ select: { clientId: true, allowedGroups: true }, order: { clientId: 'ASC' } });
    return rules.filter((r) => r.allowedGroups.includes(groupId)).map((r) => r.clientId);
  }

  async groupsOf(userId: string): Promise<GroupEntity[]> {
    const rows = await this.#members.findBy({ userId });
    return rows.length ? this.#groups.findBy({ id: In(rows.map((r) => r.groupId)) }) : [];
  }

  /** Replaces a user's memberships. */
  async setMembership(userId: string, groupIds: string[], ctx: AuditContext = {}): Promise<void> {
    const unique = [...new Set(groupIds)];
    if (unique.length && (await this.#groups.countBy({ id: In(unique) })) !== unique.length) throw new AppError('group.not_found');
    await this.#members.delete({ userId });
    if (unique.length) await this.#members.insert(unique.map((groupId) => ({ userId, groupId })));
    await this.audit.record({ ...ctx, type: 'user.groups_changed', outcome: 'success', subject: userId, details: { groups: unique } });
  }

  async isMemberOfAny(userId: string, groupIds: string[]): Promise<boolean> {
    return groupIds.length > 0 && (await this.#members.existsBy({ userId, groupId: In(groupIds) }));
  }
}
