// Writes the audit trail; every authentication and administrative action goes through here.
import { randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { JsonObject } from '../persistence/columns.js';
import { AuditEventEntity, type Outcome } from '../persistence/entities/audit-event.entity.js';
import type { Clock } from '../support/clock.js';

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

export class AuditService {
  readonly #repo: Repository<AuditEventEntity>;

  constructor(ds: DataSource, private readonly clock: Clock) {
    this.#repo = ds.getRepository(AuditEventEntity);
  }

  async record(event: AuditRecord): Promise<void> {
    await this.#repo.insert({
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
  }

  async list(filter: { subject?: string; type?: string; limit?: number } = {}): Promise<AuditEventEntity[]> {
    return this.#repo.find({
      where: { ...(filter.subject ? { subject: filter.subject } : {}), ...(filter.type ? { type: filter.type } : {}) },
      order: { at: 'DESC' },
      take: filter.limit ?? 100,
    });
  }
}
