// Soft token lifecycle: create (authenticator app or softtoken app), complete, list, rename,
// disable/enable, delete. Secrets are sealed with the token id as context.
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { SoftTokenEntity, type TokenKind } from '../persistence/entities/soft-token.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import { KeptUpdate } from '../persistence/kept-update.js';
import { isUniqueViolation } from '../persistence/unique-violation.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { constantTimeEqual } from '../security/constant-time.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Clock } from '../support/clock.js';
import type { SecurityNoticeService } from '../notices/security-notice.service.js';
import type { UserService } from '../users/user.service.js';
import { normalizeDigits, registrationCode, SECRET_BYTES } from './activation-crypto.js';
import { newSerial } from './serial.js';
import { groupedBase32, otpauthUri, timeStep, totpCode, type TotpParams, verifyTotp } from './totp.js';

export interface AppEnrolment {
  token: SoftTokenEntity;
  uri: string;
  key: string;
}

export class SoftTokenService {
  readonly #repo: Repository<SoftTokenEntity>;
  readonly #find: EntityLookup<SoftTokenEntity>;
  readonly #takeTry: KeptUpdate;
  readonly #giveBackTry: KeptUpdate;
  readonly #lock: KeptUpdate;
  readonly #resynced: KeptUpdate;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly policy: Config['tokens'],
    /** The label authenticator apps list the account under: the product name (live settings), or a fixed text. */
    private readonly issuerName: string | { readonly name: string },
    private readonly users: UserService,
    private readonly notices: SecurityNoticeService,
  ) {
    this.#repo = ds.getRepository(SoftTokenEntity);
    this.#find = new EntityLookup(ds, SoftTokenEntity);
    // A lock that has run out ($3 is now) starts the count afresh.
    const runOut = 'locked_until IS NOT NULL AND locked_until <= $3';
    this.#takeTry = new KeptUpdate(
      ds,
      `UPDATE soft_tokens SET failed_attempts = CASE WHEN ${runOut} THEN 1 ELSE failed_attempts + 1 END, locked_until = CASE WHEN ${runOut} THEN NULL ELSE locked_until END
        WHERE id = $1 AND (failed_attempts < $2 OR (${runOut}))`,
      'failed_attempts AS "failed"',
    );
    this.#giveBackTry = new KeptUpdate(ds, 'UPDATE soft_tokens SET failed_attempts = failed_attempts - 1 WHERE id = $1 AND failed_attempts > 0');
    this.#lock = new KeptUpdate(ds, 'UPDATE soft_tokens SET locked_until = $2 WHERE id = $1 AND failed_attempts >= $3');
    this.#resynced = new KeptUpdate(
      ds,
      `UPDATE soft_tokens SET drift = $2, last_step = CASE WHEN last_step IS NULL OR last_step < $3 THEN $3 ELSE last_step END,
        failed_attempts = 0, locked_until = NULL, updated_at = $4 WHERE id = $1`,
      'last_step AS "lastStep"',
    );
  }

  params(token: Pick<SoftTokenEntity, 'algorithm' | 'digits' | 'period'>): TotpParams {
    return { algorithm: token.algorithm, digits: token.digits, period: token.period };
  }

  list(userId: string): Promise<SoftTokenEntity[]> {
    return this.#repo.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  async hasActive(userId: string): Promise<boolean> {
    return this.#find.exists({ userId, state: 'active' });
  }

  async get(userId: string, tokenId: string): Promise<SoftTokenEntity> {
    const token = await this.#repo.findOneBy({ id: tokenId, userId });
    if (!token) throw new AppError('token.not_found');
    return token;
  }

  findById(id: string): Promise<SoftTokenEntity | null> {
    return this.#repo.findOneBy({ id });
  }

  findBySerial(serial: string): Promise<SoftTokenEntity | null> {
    return this.#repo.findOneBy({ serial });
  }

  /** A pending token for an authenticator app: the secret is made here and shown once as QR + key. */
  async createForApp(user: UserEntity, name?: string, ctx: AuditContext = {}): Promise<AppEnrolment> {
    const token = await this.#create(user, 'app', name ?? 'Authenticator app', ctx);
    // Standard apps only all agree on SHA1.
    token.algorithm = 'SHA1';
    await this.setSecret(token, randomBytes(SECRET_BYTES), { state: 'pending', registrationPending: false });
    return this.appEnrolment(user, token.id);
  }

  /** Reactivation of an authenticator-app token: a new secret, pending until its first code. */
  async renewAppSecret(user: UserEntity, token: SoftTokenEntity): Promise<AppEnrolment> {
    await this.setSecret(token, randomBytes(SECRET_BYTES), {
      state: 'pending',
      registrationPending: false,
      activatedAt: null,
      activationExpiresAt: this.clock.now() + this.policy.activationTtl * 1000,
    });
    return this.appEnrolment(user, token.id);
  }

  async appEnrolment(user: UserEntity, tokenId: string): Promise<AppEnrolment> {
    const token = await this.get(user.id, tokenId);
    const secret = this.secretOf(token);
    return { token, uri: otpauthUri(secret, this.params(token), typeof this.issuerName === 'string' ? this.issuerName : this.issuerName.name, user.email), key: groupedBase32(secret) };
  }

  /** A pending token for the softtoken app; its secret comes from the activation exchange. */
  createForSofttoken(user: UserEntity, name?: string, ctx: AuditContext = {}): Promise<SoftTokenEntity> {
    return this.#create(user, 'softtoken', name ?? 'Soft token', ctx);
  }

  /** Authenticator app: the first code proves the app holds the secret. */
  async completeWithCode(userId: string, tokenId: string, code: string, ctx: AuditContext = {}): Promise<SoftTokenEntity> {
    const token = await this.get(userId, tokenId);
    if (token.state !== 'pending' || !token.secret) throw new AppError('totp.invalid');
    const match = verifyTotp(this.secretOf(token), normalizeDigits(code), this.params(token), this.clock.now(), this.policy.window);
    if (!match) throw new AppError('totp.invalid');
    return this.#activateChecked(token, ctx, { lastStep: match.step, drift: match.drift });
  }

  /** Manual softtoken activation: the registration code proves the device derived the secret. */
  async completeRegistration(userId: string, tokenId: string, code: string, ctx: AuditContext = {}): Promise<SoftTokenEntity> {
    const token = await this.get(userId, tokenId);
    if (token.state !== 'pending' || !token.registrationPending || !token.secret) throw new AppError('enrol.not_active');
    if (token.activationExpiresAt !== null && token.activationExpiresAt <= this.clock.now()) throw new AppError('enrol.expired');
    if (!constantTimeEqual(registrationCode(this.secretOf(token)), normalizeDigits(code))) {
      await this.audit.record({ ...ctx, type: 'token.registration', outcome: 'failure', subject: userId, details: { serial: token.serial } });
      throw new AppError('enrol.registration_invalid');
    }
    return this.#activateChecked(token, ctx, {});
  }

  /**
   * Finds two consecutive codes within `lookAhead` steps either side of now; on a match the token's
   * drift and last step move there. Returns the drift in steps, or null.
   */
  async findConsecutive(token: SoftTokenEntity, first: string, second: string, lookAhead: number): Promise<number | null> {
    const secret = this.secretOf(token);
    const params = this.params(token);
    const now = this.clock.now();
    const a = normalizeDigits(first);
    const b = normalizeDigits(second);
    for (let offset = -lookAhead; offset < lookAhead; offset++) {
      const at = now + offset * params.period * 1000;
      if (totpCode(secret, params, at) === a && totpCode(secret, params, at + params.period * 1000) === b) {
        const drift = offset + 1;
        // The last step only moves forward: a code a sign-in has already used stays used.
        const [moved] = await this.#resynced.rows<{ lastStep: number | string }>([token.id, drift, timeStep(params, now) + drift, now]);
        Object.assign(token, { drift, lastStep: Number(moved!.lastStep), failedAttempts: 0, lockedUntil: null, updatedAt: now });
        return drift;
      }
    }
    return null;
  }

  /** Stores a (new) secret; the old one is gone for good. */
  async setSecret(token: SoftTokenEntity, secret: Uint8Array, fields: Partial<SoftTokenEntity>): Promise<void> {
    const changes = { ...fields, secret: this.box.seal(Buffer.from(secret), token.id), lastStep: null, drift: 0, updatedAt: this.clock.now() };
    Object.assign(token, changes);
    await this.#repo.update({ id: token.id }, changes);
  }

  async update(token: SoftTokenEntity, fields: Partial<SoftTokenEntity>): Promise<void> {
    // One UPDATE of the fields that change (a save() reads the row first, in a transaction of its own).
    const changes = { ...fields, updatedAt: this.clock.now() };
    Object.assign(token, changes);
    await this.#repo.update({ id: token.id }, changes);
  }

  /** The user's active tokens: the ones a code may come from. */
  active(userId: string): Promise<SoftTokenEntity[]> {
    return this.#repo.findBy({ userId, state: 'active' });
  }

  /**
   * Claims a time step for `token` in one statement: a replay racing this request finds `last_step`
   * already moved and gets false. A right code also clears the failure count.
   */
  async claimStep(token: SoftTokenEntity, step: number, drift: number, now: number): Promise<boolean> {
    const claimed = await this.#repo
      .createQueryBuilder()
      .update()
      .set({ lastStep: step, drift, failedAttempts: 0, lockedUntil: null, lastUsedAt: now })
      .where('id = :id AND (last_step IS NULL OR last_step < :step)', { id: token.id, step })
      .execute();
    return Boolean(claimed.affected);
  }

  /**
   * Takes a try on `token` before a code is weighed, counted at once so that codes sent together are
   * counted together: the count with it, or null when the token's tries are spent (it is locked).
   * A success (claimStep) clears the count; a token that did not answer gives its try back.
   */
  async takeTry(token: SoftTokenEntity, maxFailures: number, now: number): Promise<number | null> {
    const [taken] = await this.#takeTry.rows<{ failed: number | string }>([token.id, maxFailures, now]);
    return taken ? Number(taken.failed) : null;
  }

  async giveBackTry(token: SoftTokenEntity): Promise<void> {
    await this.#giveBackTry.run([token.id]);
  }

  /** Locks `token` until `until` once its tries are spent. */
  async lockUntil(token: SoftTokenEntity, until: number, maxFailures: number): Promise<void> {
    await this.#lock.run([token.id, until, maxFailures]);
  }

  secretOf(token: SoftTokenEntity): Buffer {
    if (!token.secret) throw new AppError('enrol.not_active');
    return this.box.open(token.secret, token.id);
  }

  async remove(token: SoftTokenEntity): Promise<void> {
    await this.#repo.delete({ id: token.id });
  }

  /** The token works from now on; the owner is told by e-mail. */
  /**
   * Makes `token` active once a code proved its secret: only if it is still pending with the secret
   * the code was checked against. A renewal or a new activation meanwhile (a new secret, or none
   * until the new activation is redeemed) wins: the token stays pending (`enrol.not_active`).
   */
  async #activateChecked(token: SoftTokenEntity, ctx: AuditContext, fields: Partial<SoftTokenEntity>): Promise<SoftTokenEntity> {
    const changes: Partial<SoftTokenEntity> = { ...fields, ...this.#activeFields(), updatedAt: this.clock.now() };
    const result = await this.#repo
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('id = :id AND state = :pending AND secret = :secret', { id: token.id, pending: 'pending', secret: token.secret })
      .execute();
    if (!result.affected) throw new AppError('enrol.not_active');
    Object.assign(token, changes);
    return this.announceActive(token, ctx);
  }

  /**
   * The secret an activation derived, written only while the token still waits for that activation:
   * pending, and given no new activation since (its activation expiry is still `activationExpiresAt`,
   * the redeemed one's). A reactivation racing the old device's redeem thus always wins. `activate`
   * (link, QR) makes the token active in the same UPDATE; otherwise it waits for its registration
   * code (an activated token is then `announceActive`d). False, and nothing written, when the
   * token no longer waits for it.
   */
  async redeemed(token: SoftTokenEntity, secret: Uint8Array, activationExpiresAt: number, activate: boolean): Promise<boolean> {
    const changes: Partial<SoftTokenEntity> = {
      secret: this.box.seal(Buffer.from(secret), token.id),
      lastStep: null,
      drift: 0,
      updatedAt: this.clock.now(),
      ...(activate ? this.#activeFields() : { registrationPending: true }),
    };
    const result = await this.#repo
      .createQueryBuilder()
      .update()
      .set(changes)
      .where('id = :id AND state = :pending AND activation_expires_at = :expected', { id: token.id, pending: 'pending', expected: activationExpiresAt })
      .execute();
    if (!result.affected) return false;
    Object.assign(token, changes);
    return true;
  }

  #activeFields(): Partial<SoftTokenEntity> {
    return { state: 'active', registrationPending: false, activatedAt: this.clock.now(), activationExpiresAt: null, failedAttempts: 0, lockedUntil: null };
  }

  /** A token just made active: audited, and its owner told. */
  async announceActive(token: SoftTokenEntity, ctx: AuditContext): Promise<SoftTokenEntity> {
    await this.audit.record({ ...ctx, type: 'token.activated', outcome: 'success', subject: token.userId, details: { serial: token.serial, kind: token.kind } });
    const user = await this.users.findById(token.userId);
    if (user) await this.notices.notify(user, 'token_added', { tokenName: token.name, serial: token.serial }, ctx);
    return token;
  }

  /** `baseName`, or "`baseName` 2", 3…: the first the account's tokens do not use. */
  async #freeName(userId: string, baseName: string): Promise<string> {
    const taken = new Set((await this.list(userId)).map((t) => t.name));
    let name = baseName.trim().slice(0, 60) || 'Soft token';
    for (let i = 2; taken.has(name); i++) name = `${baseName} ${i}`;
    return name;
  }

  async #create(user: UserEntity, kind: TokenKind, baseName: string, ctx: AuditContext): Promise<SoftTokenEntity> {
    const now = this.clock.now();
    for (let attempt = 0; ; attempt++) {
      const token = this.#repo.create({
        id: randomUUID(),
        userId: user.id,
        name: await this.#freeName(user.id, baseName),
        serial: newSerial(),
        kind,
        state: 'pending',
        algorithm: kind === 'app' ? 'SHA1' : this.policy.algorithm,
        digits: this.policy.digits,
        period: this.policy.period,
        secret: null,
        registrationPending: false,
        activationExpiresAt: now + this.policy.activationTtl * 1000,
        lastStep: null,
        drift: 0,
        failedAttempts: 0,
        lockedUntil: null,
        lastUsedAt: null,
        activatedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      try {
        await this.#repo.insert(token);
      } catch (err) {
        // A serial number drawn twice, or the name taken by a token created at the same moment: again.
        if (attempt < 3 && isUniqueViolation(err)) continue;
        throw err;
      }
      await this.audit.record({ ...ctx, type: 'token.created', outcome: 'success', subject: user.id, details: { serial: token.serial, kind } });
      return token;
    }
  }
}
