// Recovery codes: the one owner of the `recovery_codes` table. A set of ten one-time codes (60 random
// bits each, stored under a keyed hash), shown once when made; each code works once (an atomic
// claim); making a new set or voiding it kills the old one. Each use tells the owner by e-mail.
import { createHmac, createSecretKey, type KeyObject, randomInt, randomUUID } from 'node:crypto';
import { type DataSource, IsNull, type Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Recipient } from '../delivery/delivery.service.js';
import { AppError } from '../errors/app-error.js';
import type { SecurityNoticeService } from '../notices/security-notice.service.js';
import { RecoveryCodeEntity } from '../persistence/entities/recovery-code.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import type { Clock } from '../support/clock.js';

export const RECOVERY_CODE_COUNT = 10;
// Crockford's base32: no I, L, O or U, so what is read aloud or copied by hand survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 symbols of 5 bits: 60 bits, well past the 50 a code needs. */
const LENGTH = 12;
const SHAPE = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

export interface RecoveryCodeStatus {
  /** Codes in the current set (0: the account has none). */
  total: number;
  remaining: number;
  createdAt: number | null;
}

/** What a person may type for a code: any case, spaces or dashes, and the letters Crockford reads as digits. */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** A code as shown: three groups of four (`7K2M-9QXD-4RTB`). */
function group(code: string): string {
  return code.match(/.{4}/g)!.join('-');
}

export class RecoveryCodeService {
  readonly #repo: Repository<RecoveryCodeEntity>;
  readonly #codes: EntityLookup<RecoveryCodeEntity>;
  readonly #key: KeyObject;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly notices: SecurityNoticeService,
    key: Buffer,
  ) {
    this.#repo = ds.getRepository(RecoveryCodeEntity);
    this.#codes = new EntityLookup(ds, RecoveryCodeEntity);
    this.#key = createSecretKey(key);
  }

  async status(userId: string): Promise<RecoveryCodeStatus> {
    const rows = await this.#repo.findBy({ userId });
    return {
      total: rows.length,
      remaining: rows.filter((r) => r.usedAt === null).length,
      createdAt: rows.length ? Math.min(...rows.map((r) => r.createdAt)) : null,
    };
  }

  /** Unused codes of the account's set (0: none, or all used). */
  remaining(userId: string): Promise<number> {
    return this.#codes.count({ userId, usedAt: null });
  }

  /** A new set in place of any old one; the codes, grouped for reading, are returned this once only. */
  async generate(user: Recipient, ctx: AuditContext = {}): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''));
    const now = this.clock.now();
    const rows = codes.map((code) => ({ id: randomUUID(), userId: user.id, codeHash: this.#hash(user.id, code), usedAt: null, createdAt: now }));
    let replaced = 0;
    await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(RecoveryCodeEntity);
      replaced = (await repo.delete({ userId: user.id })).affected ?? 0;
      await repo.insert(rows);
    });
    await this.audit.record({ ...ctx, type: 'recovery_codes.generated', outcome: 'success', subject: user.id, details: { count: codes.length, replaced } });
    // The first set comes with the first second factor (already told); a new set voids one the owner may rely on.
    if (replaced > 0) await this.notices.notify(user, 'recovery_codes_replaced', {}, ctx);
    return codes.map(group);
  }

  /**
   * Spends one code of `user`'s set; returns how many are left. A wrong, used or voided code, or one
   * of another account, is the same failure (a factor: it counts towards the lockout where it is used).
   */
  async consume(user: Recipient, input: string, ctx: AuditContext = {}): Promise<number> {
    const code = normalizeRecoveryCode(input.slice(0, 64));
    if (SHAPE.test(code)) {
      // Single use even when two requests race: only one update finds the code unused.
      const claimed = await this.#repo
        .createQueryBuilder()
        .update()
        .set({ usedAt: this.clock.now() })
        .where('user_id = :userId AND code_hash = :hash AND used_at IS NULL', { userId: user.id, hash: this.#hash(user.id, code) })
        .execute();
      if (claimed.affected) {
        const remaining = await this.remaining(user.id);
        await this.audit.record({ ...ctx, type: 'recovery_code.used', outcome: 'success', subject: user.id, details: { remaining } });
        await this.notices.notify(user, 'recovery_code_used', { remaining }, ctx);
        return remaining;
      }
    }
    await this.audit.record({ ...ctx, type: 'recovery_code.used', outcome: 'failure', subject: user.id, details: { reason: 'invalid' } });
    throw new AppError('recovery_code.invalid');
  }

  /** Every code of the account stops working (an administrator's action, or the account's own). */
  async void(userId: string, ctx: AuditContext = {}): Promise<number> {
    const { affected } = await this.#repo.delete({ userId });
    await this.audit.record({ ...ctx, type: 'recovery_codes.voided', outcome: 'success', subject: userId, details: { count: affected ?? 0 } });
    return affected ?? 0;
  }

  /** Keyed with a server secret, and bound to the account: a code of one account is nothing to another. */
  #hash(userId: string, code: string): string {
    return createHmac('sha256', this.#key).update(`${userId}:${code}`).digest('base64url');
  }
}
