// Writes the audit trail; every authentication and administrative action goes through here.
import { randomUUID } from 'node:crypto';
import { Between, LessThan, type DataSource, type FindOptionsWhere, type Repository } from 'typeorm';
import type { JsonObject } from '../persistence/columns.js';
import { AuditEventEntity, type Outcome } from '../persistence/entities/audit-event.entity.js';
import { RowInsert } from '../persistence/row-insert.js';
import type { Clock } from '../support/clock.js';
import { AccountDirectory } from './account-directory.js';

export interface AuditContext {
  actor?: string | null;
  ip?: string | null;
  clientId?: string | null;
}

export interface AuditRecord extends AuditContext {
  type: string;
  outcome: Outcome;
  subject?: string | null;
  details?: JsonObject;
}

/** Told of every event once it is stored (metrics count them); it must be quick and must not throw. */
export type AuditObserver = (event: AuditRecord) => void;

export class AuditService {
  readonly #repo: Repository<AuditEventEntity>;
  readonly #insert: RowInsert<AuditEventEntity>;
  readonly #observers: AuditObserver[] = [];
  /** Who the ids in the trail are (the console shows usernames, and the sign-in a lock's end). */
  readonly accounts: AccountDirectory;

  constructor(ds: DataSource, private readonly clock: Clock) {
    this.#repo = ds.getRepository(AuditEventEntity);
    this.#insert = new RowInsert(ds, AuditEventEntity);
    this.accounts = new AccountDirectory(ds, clock);
  }

  async record(event: AuditRecord): Promise<void> {
    await this.#insert.insert({
      id: randomUUID(),
      at: this.clock.now(),
      type: event.type,
      outcome: event.outcome,
      actor: event.actor ?? null,
      subject: event.subject ?? null,
      clientId: event.clientId ?? null,
      ip: event.ip ?? null,
      details: event.details ?? {},
    });
    for (const observe of this.#observers) observe(event);
  }

  observe(observer: AuditObserver): void {
    this.#observers.push(observer);
  }

  async list(filter: AuditFilter = {}): Promise<AuditEventEntity[]> {
    return this.#repo.find({ where: this.#where(filter), order: { at: 'DESC', id: 'ASC' }, take: Math.min(filter.limit ?? 100, 1000), skip: filter.offset ?? 0 });
  }

  async count(filter: AuditFilter = {}): Promise<number> {
    return this.#repo.countBy(this.#where(filter));
  }

  /** JSON lines, oldest first, in pages so a large log never sits in memory at once. */
  async *exportLines(filter: AuditFilter = {}): AsyncGenerator<string> {
    const where = this.#where(filter);
    for (let skip = 0; ; skip += 500) {
      const rows = await this.#repo.find({ where, order: { at: 'ASC', id: 'ASC' }, take: 500, skip });
      for (const row of rows) yield `${JSON.stringify({ ...row, at: new Date(row.at).toISOString() })}\n`;
      if (rows.length < 500) return;
    }
  }

  /** Deletes events older than the retention; returns how many. */
  async purge(retentionDays: number): Promise<number> {
    const res = await this.#repo.delete({ at: LessThan(this.clock.now() - retentionDays * 86_400_000) });
    return res.affected ?? 0;
  }

  #where(f: AuditFilter): FindOptionsWhere<AuditEventEntity> {
    return {
      ...(f.subject ? { subject: f.subject } : {}),
      ...(f.type ? { type: f.type } : {}),
      ...(f.from !== undefined || f.to !== undefined ? { at: Between(f.from ?? 0, f.to ?? Number.MAX_SAFE_INTEGER) } : {}),
    };
  }
}

export interface AuditFilter {
  subject?: string;
  type?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}
