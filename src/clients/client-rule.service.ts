// Resource rules: for each application, which groups may sign in and the assurance level it needs.
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { CONSOLE_CLIENT_ID } from '../console/console-client.js';
import { isLevel, type Level, MULTI_FACTOR } from '../authenticators/assurance.js';
import { ClientRuleEntity } from '../persistence/entities/client-rule.entity.js';
import type { Clock } from '../support/clock.js';
import type { GroupService } from '../groups/group.service.js';
import { TtlCache } from '../support/ttl-cache.js';

export interface ClientRule {
  allowedGroups: string[];
  /** The weakest `acr` level the application accepts. */
  minLevel: Level;
}

export const defaultRule: ClientRule = { allowedGroups: [], minLevel: MULTI_FACTOR };

/** Every step of a sign-in reads the rule: a change made by another server process shows within this time. */
export const RULE_CACHE_MS = 5000;

export class ClientRuleService {
  readonly #repo: Repository<ClientRuleEntity>;
  readonly #cache = new TtlCache<ClientRule>(RULE_CACHE_MS);

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly groups: GroupService,
    private readonly audit: AuditService,
  ) {
    this.#repo = ds.getRepository(ClientRuleEntity);
  }

  get(clientId: string): Promise<ClientRule> {
    return this.#cache.get(clientId, async () => {
      const row = await this.#repo.findOneBy({ clientId });
      return row ? { allowedGroups: row.allowedGroups, minLevel: row.minLevel } : defaultRule;
    });
  }

  async set(clientId: string, rule: ClientRule, ctx: AuditContext = {}): Promise<void> {
    // A group or a level on the console's own application would shut people out of My Profile and the console.
    if (clientId === CONSOLE_CLIENT_ID) throw new AppError('client.built_in');
    if (!isLevel(rule.minLevel)) throw new AppError('rule.invalid');
    const known = new Set((await this.groups.list()).map((g) => g.id));
    if (rule.allowedGroups.some((g) => !known.has(g))) throw new AppError('group.not_found');
    await this.#repo.upsert({ clientId, allowedGroups: [...new Set(rule.allowedGroups)], minLevel: rule.minLevel, updatedAt: this.clock.now() }, ['clientId']);
    this.#cache.delete(clientId);
    await this.audit.record({ ...ctx, type: 'client.rule_changed', outcome: 'success', clientId, details: { ...rule } });
  }

  /** Whether this user may use this application at all (`rule`: the application's, if already read). */
  async allows(clientId: string, userId: string, rule?: ClientRule): Promise<boolean> {
    rule ??= await this.get(clientId);
    return rule.allowedGroups.length === 0 || (await this.groups.isMemberOfAny(userId, rule.allowedGroups));
  }
}
