// Password reset links sent by an administrator: the holder proves themselves with a one-time PIN
// (SMS, else e-mail), then sets a new password once. Pages, the admin console and the API share it.
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { DeliveryService } from '../delivery/delivery.service.js';
import { AppError } from '../errors/app-error.js';
import { PasswordResetEntity } from '../persistence/entities/password-reset.entity.js';
import type { PinChannel } from '../persistence/entities/one-time-pin.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { maskDestination } from '../pins/mask.js';
import type { OneTimePinService, SentPin } from '../pins/one-time-pin.service.js';
import type { LockoutService } from '../security/lockout.service.js';
import { randomToken } from '../security/random.js';
import type { Clock } from '../support/clock.js';
import type { UserAdminService } from './user-admin.service.js';
import type { UserService } from './user.service.js';

/** A reset that can still be used, with its (active) user. */
export interface LiveReset {
  id: string;
  user: UserEntity;
  expiresAt: number;
  pinVerified: boolean;
}

// 128 random bits in base64url; anything else is not worth a database look-up.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}$/;
const LIVE = 'used_at IS NULL AND voided_at IS NULL AND expires_at > :now AND pin_failures < :max';

function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class PasswordResetService {
  readonly #resets: Repository<PasswordResetEntity>;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly users: UserService,
    private readonly userAdmin: UserAdminService,
    private readonly pins: OneTimePinService,
    private readonly delivery: DeliveryService,
    private readonly lockout: LockoutService,
    private readonly audit: AuditService,
    // Read at each call: settings change the live policy objects.
    private readonly config: Config,
  ) {
    this.#resets = ds.getRepository(PasswordResetEntity);
  }

  /** E-mails a fresh link; once it is sent, every older unused link of the user dies. */
  async issue(user: UserEntity, ctx: AuditContext = {}): Promise<{ expiresAt: number }> {
    if (user.status !== 'active') throw new AppError('reset.user_disabled');
    const now = this.clock.now();
    const token = randomToken(16);
    const ttl = this.config.passwordReset.ttl;
    const row = this.#resets.create({
      id: randomUUID(),
      userId: user.id,
      tokenHash: hashResetToken(token),
      expiresAt: now + ttl * 1000,
      pinVerifiedAt: null,
      pinFailures: 0,
      usedAt: null,
      voidedAt: null,
      createdAt: now,
    });
    await this.#resets.insert(row);
    const link = `${this.config.issuer}/reset-password?token=${token}`;
    try {
      await this.delivery.sendMail('password-reset', user, { link, expiresAt: row.expiresAt, minutes: Math.round(ttl / 60) }, ctx);
    } catch (err) {
      await this.#resets.delete({ id: row.id });
      throw err;
    }
    await this.#voidOthers(user.id, row, now);
    await this.audit.record({ ...ctx, type: 'password.reset_link_sent', outcome: 'success', subject: user.id, details: { expiresAt: row.expiresAt } });
    return { expiresAt: row.expiresAt };
  }

  /** The live reset behind `token`, or null for an unknown, expired, used, voided or disabled one. */
  async find(token: string): Promise<LiveReset | null> {
    if (!TOKEN_SHAPE.test(token)) return null;
    const row = await this.#resets.findOneBy({ tokenHash: hashResetToken(token) });
    if (!row || !this.#isLive(row)) return null;
    const user = await this.users.findById(row.userId);
    if (!user || user.status !== 'active') return null;
    // Locked since the link was sent (an administrator's lock, or a guesser tripping the lockout):
    // the link waits until the lock ends; it must not become a way round it.
    if (user.lockedAt !== null && user.lockedAt >= row.createdAt && this.lockout.isLocked(user)) return null;
    return { id: row.id, user, expiresAt: row.expiresAt, pinVerified: row.pinVerifiedAt !== null };
  }

  /** Where the PIN will go, masked, for the page that offers to send it. */
  destination(reset: LiveReset): { channel: PinChannel; masked: string } {
    const channel = this.pins.defaultChannel(reset.user);
    return { channel, masked: maskDestination(channel, channel === 'sms' ? reset.user.mobile! : reset.user.email) };
  }

  sendPin(reset: LiveReset, ctx: AuditContext = {}): Promise<SentPin> {
    return this.pins.send(reset.user, this.#purpose(reset), this.pins.defaultChannel(reset.user), { ...ctx, actor: reset.user.id });
  }

  /** A wrong PIN counts towards the account lockout and, at the PIN try limit, kills the reset. */
  async verifyPin(reset: LiveReset, pin: string, ctx: AuditContext = {}): Promise<void> {
    const audit = { ...ctx, actor: reset.user.id, subject: reset.user.id };
    try {
      await this.pins.verify(reset.user.id, this.#purpose(reset), pin);
    } catch (err) {
      // An expired PIN was not compared, so it is no guess; anything else is.
      if (!(err instanceof AppError) || err.code === 'pin.expired') throw err;
      await this.#resets.increment({ id: reset.id }, 'pinFailures', 1);
      await this.lockout.recordFailure(reset.user.id, ctx);
      const row = await this.#resets.findOneByOrFail({ id: reset.id });
      if (row.pinFailures >= this.config.pin.maxAttempts) {
        await this.#resets.update({ id: reset.id }, { voidedAt: this.clock.now() });
        await this.audit.record({ ...audit, type: 'password.reset_voided', outcome: 'failure', details: { reason: 'too_many_pins' } });
        throw new AppError('reset.too_many_attempts');
      }
      await this.audit.record({ ...audit, type: 'password.reset_pin', outcome: 'failure' });
      throw err;
    }
    const now = this.clock.now();
    const marked = await this.#resets
      .createQueryBuilder()
      .update()
      .set({ pinVerifiedAt: now })
      .where(`id = :id AND ${LIVE}`, { id: reset.id, now, max: this.config.pin.maxAttempts })
      .execute();
    if (!marked.affected) throw new AppError('reset.invalid');
    await this.audit.record({ ...audit, type: 'password.reset_pin', outcome: 'success' });
  }

  /** Sets the new password: only after a verified PIN, and only once even when requests race. */
  async complete(reset: LiveReset, newPassword: string, ctx: AuditContext = {}): Promise<void> {
    const now = this.clock.now();
    const claimed = await this.#resets
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where(`id = :id AND pin_verified_at IS NOT NULL AND ${LIVE}`, { id: reset.id, now, max: this.config.pin.maxAttempts })
      .execute();
    if (!claimed.affected) {
      const row = await this.#resets.findOneBy({ id: reset.id });
      if (row && row.pinVerifiedAt === null && this.#isLive(row)) throw new AppError('reset.pin_required');
      throw new AppError('reset.invalid');
    }
    const userId = reset.user.id;
    const audit = { ...ctx, actor: userId };
    try {
      await this.userAdmin.setPassword(userId, newPassword, audit);
    } catch (err) {
      // Too short or used before: the link stays usable for a better choice.
      await this.#resets.update({ id: reset.id, usedAt: now }, { usedAt: null });
      throw err;
    }
    const user = await this.users.findById(userId);
    if (user && (user.lockedAt !== null || user.failedLogins > 0)) await this.lockout.unlock(userId, audit);
    await this.#voidOthers(userId, reset, now);
    await this.audit.record({ ...audit, type: 'password.reset_completed', outcome: 'success', subject: userId });
  }

  #isLive(row: PasswordResetEntity): boolean {
    return row.usedAt === null && row.voidedAt === null && row.expiresAt > this.clock.now() && row.pinFailures < this.config.pin.maxAttempts;
  }

  #purpose(reset: LiveReset): string {
    return `reset:${reset.id}`;
  }

  /**
   * The account's other live links die: all of them once `keep` is used (a completed reset), only
   * the ones issued before it when it is a new link, so that of two links issued at once the
   * newer lives (each voiding the other left none).
   */
  async #voidOthers(userId: string, keep: { id: string; createdAt?: number }, now: number): Promise<void> {
    const older = keep.createdAt === undefined ? '' : ' AND (created_at < :createdAt OR (created_at = :createdAt AND id < :keepId))';
    await this.#resets
      .createQueryBuilder()
      .update()
      .set({ voidedAt: now })
      .where(`user_id = :userId AND id <> :keepId AND used_at IS NULL AND voided_at IS NULL${older}`, { userId, keepId: keep.id, createdAt: keep.createdAt })
      .execute();
  }
}
