// Softtoken app activation (DESIGN.md §3): issues the three credentials (link ticket, QR ticket +
// password, serial + activation code), mails them, and redeems one of them once, online, with a try
// limit, deriving the TOTP secret through X25519 + HKDF so that nothing mailed can be cracked offline.
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { DeliveryService } from '../delivery/delivery.service.js';
import { AppError } from '../errors/app-error.js';
import type { SoftTokenEntity } from '../persistence/entities/soft-token.entity.js';
import { TokenActivationEntity } from '../persistence/entities/token-activation.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { constantTimeEqual } from '../security/constant-time.js';
import { randomDigits, randomToken } from '../security/random.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Clock } from '../support/clock.js';
import type { UserService } from '../users/user.service.js';
import {
  type ActivationResponse,
  checkManualProof,
  deriveSecret,
  generateKeyPair,
  groupDigits,
  isPublicKey,
  qrPayload,
} from './activation-crypto.js';
import { newActivationCode } from './serial.js';
import type { SoftTokenService } from './soft-token.service.js';

interface Sealed {
  linkTicket: string;
  qrTicket: string;
  password: string;
  activationCode: string;
}

export interface ActivationDetails {
  address: string;
  serial: string;
  activationCode: string;
  link: string;
  qrPayload: string;
  qrDataUrl: string;
  password: string;
  expiresAt: number;
  expired: boolean;
}

const requestSchema = z.union([
  z.object({ publicKey: z.string().refine(isPublicKey), ticket: z.string().min(16).max(64), password: z.string().max(32).optional() }).strict(),
  z.object({ publicKey: z.string().refine(isPublicKey), serial: z.string().regex(/^\d{10}$/), proof: z.string().min(16).max(64) }).strict(),
]);

const hashTicket = (ticket: string) => createHash('sha256').update(ticket).digest('base64url');

export class ActivationService {
  readonly #repo: Repository<TokenActivationEntity>;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly tokens: SoftTokenService,
    private readonly users: UserService,
    private readonly delivery: DeliveryService,
    private readonly audit: AuditService,
    private readonly policy: Config['tokens'],
    private readonly issuer: string,
  ) {
    this.#repo = ds.getRepository(TokenActivationEntity);
  }

  /** A new activation for `token` (earlier ones die), mailed to the user. */
  async issue(user: UserEntity, token: SoftTokenEntity, ctx: AuditContext = {}): Promise<ActivationDetails> {
    const now = this.clock.now();
    await this.#voidAll(token.id, now);
    const sealed: Sealed = { linkTicket: randomToken(16), qrTicket: randomToken(16), password: randomDigits(8), activationCode: newActivationCode() };
    const id = randomUUID();
    const expiresAt = now + this.policy.activationTtl * 1000;
    await this.#repo.insert({
      id,
      tokenId: token.id,
      linkTicketHash: hashTicket(sealed.linkTicket),
      qrTicketHash: hashTicket(sealed.qrTicket),
      sealed: this.box.seal(JSON.stringify(sealed), id),
      attempts: 0,
      expiresAt,
      usedAt: null,
      voidedAt: null,
      createdAt: now,
    });
    await this.tokens.update(token, { state: 'pending', secret: null, registrationPending: false, activationExpiresAt: expiresAt });
    const details = await this.#details(token, id, sealed, expiresAt);
    await this.sendMail(user, details, ctx);
    await this.audit.record({ ...ctx, type: 'token.activation_issued', outcome: 'success', subject: user.id, details: { serial: token.serial } });
    return details;
  }

  async sendMail(user: UserEntity, details: ActivationDetails, ctx: AuditContext = {}): Promise<void> {
    const png = await QRCode.toBuffer(details.qrPayload, { type: 'png', margin: 2, width: 240 });
    await this.delivery.sendMail('softtoken-activation', user, { ...details, activationCodeGrouped: groupDigits(details.activationCode) }, ctx, [
      { filename: 'activation-qr.png', contentType: 'image/png', content: png, cid: 'activation-qr' },
    ]);
  }

  /** The live activation of a pending token, for the page that shows it again. */
  async current(token: SoftTokenEntity): Promise<ActivationDetails | null> {
    const row = await this.#repo.findOne({ where: { tokenId: token.id }, order: { createdAt: 'DESC' } });
    if (!row || row.voidedAt !== null) return null;
    const sealed = JSON.parse(this.box.openText(row.sealed, row.id)) as Sealed;
    return this.#details(token, row.id, sealed, row.expiresAt);
  }

  /** The app's POST: checks one credential and completes the key exchange. */
  async redeem(body: unknown, ctx: AuditContext = {}): Promise<ActivationResponse> {
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) throw new AppError('activation.invalid_request');
    const req = parsed.data;
    const found = 'ticket' in req ? await this.#byTicket(req.ticket) : await this.#bySerial(req.serial);
    if (!found) throw new AppError('ticket' in req ? 'activation.invalid_ticket' : 'activation.invalid_activation_code');
    const { row, token, isQr } = found;
    const now = this.clock.now();
    this.#refuseSpent(row, token, now);
    const manual = 'serial' in req;

    // The app's key is checked before anything is spent: a degenerate key must not burn the ticket.
    const server = generateKeyPair();
    let secret: Buffer;
    try {
      secret = deriveSecret(server.privateKey, req.publicKey, token.serial);
    } catch {
      throw new AppError('activation.invalid_request');
    }

    const sealed = JSON.parse(this.box.openText(row.sealed, row.id)) as Sealed;
    if (manual || isQr) await this.#takeTry(row, token, now);
    const ok = manual
      ? checkManualProof(sealed.activationCode, token.serial, req.publicKey, req.proof)
      : !isQr || constantTimeEqual(sealed.password, req.password ?? '');
    if (!ok) {
      await this.#failedTry(row, now, token.userId, ctx);
      throw new AppError(manual ? 'activation.invalid_activation_code' : 'activation.invalid_password');
    }
    const claimed = await this.#repo
      .createQueryBuilder()
      .update()
      .set({ usedAt: now })
      .where('id = :id AND used_at IS NULL AND voided_at IS NULL', { id: row.id })
      .execute();
    if (!claimed.affected) throw new AppError('activation.already_used');

    // Link and QR complete at once; a manual entry waits for the registration code. A new activation
    // issued meanwhile (the token reactivated) wins: this device gets nothing.
    const entry = manual ? 'manual' : isQr ? 'qr' : 'link';
    if (!(await this.tokens.redeemed(token, secret, row.expiresAt, !manual))) {
      await this.audit.record({ ...ctx, type: 'token.activation_redeemed', outcome: 'failure', subject: token.userId, details: { serial: token.serial, entry, reason: 'superseded' } });
      throw new AppError('activation.already_used');
    }
    await this.audit.record({ ...ctx, type: 'token.activation_redeemed', outcome: 'success', subject: token.userId, details: { serial: token.serial, entry } });
    if (!manual) await this.tokens.announceActive(token, ctx);
    const user = await this.users.findById(token.userId);
    return {
      serial: token.serial,
      serverPublicKey: server.publicKey,
      algorithm: token.algorithm,
      digits: token.digits,
      period: token.period,
      issuer: new URL(this.issuer).host,
      account: user?.email ?? token.serial,
      registrationRequired: manual,
    };
  }

  async #byTicket(ticket: string) {
    const hash = hashTicket(ticket);
    const row = await this.#repo.findOne({ where: [{ linkTicketHash: hash }, { qrTicketHash: hash }] });
    if (!row) return null;
    const token = await this.tokens.findById(row.tokenId);
    return token ? { row, token, isQr: row.qrTicketHash === hash } : null;
  }

  async #bySerial(serial: string) {
    const token = await this.tokens.findBySerial(serial);
    if (!token) return null;
    const row = await this.#repo.findOne({ where: { tokenId: token.id }, order: { createdAt: 'DESC' } });
    return row ? { row, token, isQr: false } : null;
  }

  /** Used, voided, expired or no longer pending: the credential is refused whatever it holds. */
  #refuseSpent(row: TokenActivationEntity, token: SoftTokenEntity, now: number): void {
    if (row.usedAt !== null) throw new AppError('activation.already_used');
    if (row.voidedAt !== null) throw new AppError(row.attempts >= this.policy.activationMaxTries ? 'activation.too_many_attempts' : 'activation.expired');
    if (row.expiresAt <= now) throw new AppError('activation.expired');
    if (token.state !== 'pending') throw new AppError('activation.already_used');
  }

  /** Counts a try before checking it, in one statement, so guesses sent in parallel cannot pass the limit. */
  async #takeTry(row: TokenActivationEntity, token: SoftTokenEntity, now: number): Promise<void> {
    const taken = await this.#repo
      .createQueryBuilder()
      .update()
      .set({ attempts: () => 'attempts + 1' })
      .where('id = :id AND attempts < :max AND used_at IS NULL AND voided_at IS NULL', { id: row.id, max: this.policy.activationMaxTries })
      .execute();
    if (taken.affected) return;
    this.#refuseSpent(await this.#repo.findOneByOrFail({ id: row.id }), token, now);
    throw new AppError('activation.too_many_attempts');
  }

  /** The try was counted already; the one that reaches the limit voids the activation. */
  async #failedTry(row: TokenActivationEntity, now: number, userId: string, ctx: AuditContext): Promise<void> {
    await this.#repo
      .createQueryBuilder()
      .update()
      .set({ voidedAt: now })
      .where('id = :id AND attempts >= :max AND voided_at IS NULL', { id: row.id, max: this.policy.activationMaxTries })
      .execute();
    const { attempts } = await this.#repo.findOneByOrFail({ id: row.id });
    await this.audit.record({ ...ctx, type: 'token.activation_redeemed', outcome: 'failure', subject: userId, details: { attempts } });
  }

  async #voidAll(tokenId: string, now: number): Promise<void> {
    await this.#repo.createQueryBuilder().update().set({ voidedAt: now }).where('token_id = :tokenId AND voided_at IS NULL', { tokenId }).execute();
  }

  async #details(token: SoftTokenEntity, _id: string, sealed: Sealed, expiresAt: number): Promise<ActivationDetails> {
    const payload = qrPayload(this.issuer, sealed.qrTicket);
    return {
      address: this.issuer,
      serial: token.serial,
      activationCode: sealed.activationCode,
      link: `${this.issuer}/softtoken/activate?ticket=${encodeURIComponent(sealed.linkTicket)}`,
      qrPayload: payload,
      qrDataUrl: await QRCode.toDataURL(payload, { margin: 2, width: 240 }),
      password: sealed.password,
      expiresAt,
      expired: expiresAt <= this.clock.now(),
    };
  }
}
