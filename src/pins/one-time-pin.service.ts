// One-time PINs: random, stored as a keyed hash, single use, expiring, limited tries, resend cooldown.
import { createHmac, createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { DeliveryService, Recipient } from '../delivery/delivery.service.js';
import { AppError } from '../errors/app-error.js';
import { OneTimePinEntity, type PinChannel } from '../persistence/entities/one-time-pin.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import { KeptUpdate } from '../persistence/kept-update.js';
import { RowInsert } from '../persistence/row-insert.js';
import { randomDigits } from '../security/random.js';
import type { Clock } from '../support/clock.js';
import { maskDestination } from './mask.js';

export interface SentPin {
  channel: PinChannel;
  masked: string;
  expiresAt: number;
  /** Whole minutes until it expires, rounded up (0 once expired): pages say "in N minutes" like the message. */
  minutesLeft: number;
}

const minutesUntil = (at: number, now: number): number => Math.max(0, Math.ceil((at - now) / 60_000));

export class OneTimePinService {
  readonly #pins: Repository<OneTimePinEntity>;
  readonly #pin: EntityLookup<OneTimePinEntity>;
  /** A new PIN takes the place of the earlier one for its purpose, unless that one is within the resend cooldown. */
  readonly #replace: RowInsert<OneTimePinEntity>;
  /** A right PIN is taken by one request only: the one whose update finds it unconsumed. */
  readonly #claim: KeptUpdate;
  readonly #pepper: KeyObject;

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly delivery: DeliveryService,
    private readonly audit: AuditService,
    private readonly policy: Config['pin'],
    pepper: Buffer,
  ) {
    this.#pins = ds.getRepository(OneTimePinEntity);
    this.#pin = new EntityLookup(ds, OneTimePinEntity);
    this.#replace = new RowInsert(ds, OneTimePinEntity, { key: ['userId', 'purpose'], when: '"one_time_pins"."created_at" <= $1' });
    // One statement per try, on the PIN while it is unused, in time and within its tries: the right
    // PIN is claimed (single use even when two requests race), a wrong one counted, so that of any
    // number of simultaneous guesses no more than the limit are ever weighed. The PIN is compared by
    // its keyed hash, as a token at rest is by its own: the database's comparison tells nothing of it.
    this.#claim = new KeptUpdate(
      ds,
      `UPDATE "one_time_pins" SET "consumed_at" = CASE WHEN "code_hash" = $4 THEN $1 END,
          "attempts" = "attempts" + CASE WHEN "code_hash" = $4 THEN 0 ELSE 1 END
        WHERE "user_id" = $2 AND "purpose" = $3 AND "consumed_at" IS NULL AND "attempts" < $5 AND "expires_at" > $1`,
      '"channel", "consumed_at", "attempts"',
    );
    this.#pepper = createSecretKey(pepper);
  }

  /** The channel a PIN goes to by default: SMS when there is a mobile number, else e-mail. */
  defaultChannel(user: Recipient): PinChannel {
    if (this.policy.delivery === 'email' && this.policy.emailAllowed) return 'email';
    if (user.mobile) return 'sms';
    if (this.policy.emailAllowed) return 'email';
    throw new AppError('pin.no_channel');
  }

  /** Sends a fresh PIN for `purpose`; any earlier PIN for it dies. */
  async send(user: Recipient, purpose: string, channel: PinChannel, ctx: AuditContext = {}): Promise<SentPin> {
    if (channel === 'email' && !this.policy.emailAllowed) throw new AppError('pin.email_not_allowed');
    if (channel === 'sms' && !user.mobile) throw new AppError('pin.no_channel');
    const now = this.clock.now();
    const cooldown = this.policy.resendCooldown * 1000;
    const pin = randomDigits(this.policy.length);
    const destination = channel === 'sms' ? user.mobile! : user.email;
    const row = this.#pins.create({
      id: randomUUID(),
      userId: user.id,
      purpose,
      channel,
      destination,
      codeHash: this.#hash(purpose, pin),
      attempts: 0,
      expiresAt: now + this.policy.ttl * 1000,
      consumedAt: null,
      createdAt: now,
    });
    // One statement (a kept one: every sign-in runs it) replaces the earlier PIN, or, within the
    // cooldown, leaves it: of two requests at the same moment, one sends.
    if (!(await this.#replace.insert(row, [now - cooldown]))) {
      const last = await this.#latest(user.id, purpose);
      throw new AppError('pin.resend_cooldown', { seconds: Math.max(1, Math.ceil(((last?.createdAt ?? now) + cooldown - now) / 1000)) });
    }
    const vars = { pin, minutes: Math.max(1, Math.round(this.policy.ttl / 60)) };
    try {
      if (channel === 'sms') await this.delivery.sendSms('pin', user, vars, ctx);
      else await this.delivery.sendMail('pin', user, vars, ctx);
      // Delivery "both": the same PIN also goes by e-mail, so either message will do.
      if (channel === 'sms' && this.policy.delivery === 'both' && this.policy.emailAllowed) await this.delivery.sendMail('pin', user, vars, ctx);
    } catch (err) {
      await this.#pins.delete({ id: row.id });
      throw err instanceof AppError && err.code === 'delivery.failed' ? new AppError('pin.delivery_failed', {}, err.status) : err;
    }
    await this.audit.record({ ...ctx, type: 'pin.sent', outcome: 'success', subject: user.id, details: { channel } });
    return { channel, masked: maskDestination(channel, destination), expiresAt: row.expiresAt, minutesLeft: minutesUntil(row.expiresAt, now) };
  }

  /** The PIN outstanding for `purpose`, if any (for the page to say where it went). */
  async pending(userId: string, purpose: string): Promise<SentPin | null> {
    const row = await this.#latest(userId, purpose);
    if (!row || row.consumedAt !== null) return null;
    return { channel: row.channel, masked: maskDestination(row.channel, row.destination), expiresAt: row.expiresAt, minutesLeft: minutesUntil(row.expiresAt, this.clock.now()) };
  }

  /** Checks a PIN; on success it is consumed. Throws a typed error otherwise. */
  async verify(userId: string, purpose: string, candidate: string): Promise<PinChannel> {
    const hash = this.#hash(purpose, candidate.replace(/\s+/g, ''));
    const now = this.clock.now();
    const [tried] = await this.#claim.rows<{ channel: PinChannel; consumed_at: unknown; attempts: number | string }>([now, userId, purpose, hash, this.policy.maxAttempts]);
    if (tried && tried.consumed_at !== null) return tried.channel;
    if (tried) throw new AppError(this.policy.maxAttempts - Number(tried.attempts) > 0 ? 'pin.invalid' : 'pin.too_many_attempts');
    // Not weighed: why, from the row as it is now (nothing counted).
    const row = await this.#latest(userId, purpose);
    if (!row || row.consumedAt !== null) throw new AppError('pin.invalid');
    if (row.attempts >= this.policy.maxAttempts) throw new AppError('pin.too_many_attempts');
    if (row.expiresAt <= now) throw new AppError('pin.expired');
    throw new AppError('pin.invalid');
  }

  async #latest(userId: string, purpose: string): Promise<OneTimePinEntity | null> {
    return this.#pin.one({ userId, purpose }, { by: 'createdAt', direction: 'DESC' });
  }

  #hash(purpose: string, pin: string): string {
    return createHmac('sha256', this.#pepper).update(`${purpose}:${pin}`).digest('base64url');
  }
}
