// Passkeys (WebAuthn credentials): the one owner of the `passkeys` table. Options for the browser,
// registration and assertion checks (by SimpleWebAuthn), counters, names, removal (never the last
// way in), their audit events and the owner's security notices.
import { randomUUID } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  type VerifiedRegistrationResponse,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { COSEALG } from '@simplewebauthn/server/helpers';
import { type DataSource, Not, type Repository } from 'typeorm';
import type { SuperadminGuard } from '../users/superadmin-guard.js';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import type { SecurityNoticeService } from '../notices/security-notice.service.js';
import { PasskeyEntity } from '../persistence/entities/passkey.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { EntityLookup } from '../persistence/entity-lookup.js';
import { KeptUpdate } from '../persistence/kept-update.js';
import { isUniqueViolation } from '../persistence/unique-violation.js';
import type { Clock } from '../support/clock.js';
import { CHALLENGE_TTL_MS, PasskeyChallenges } from './passkey-challenge.js';
import { deviceHint } from './passkey-devices.js';
import type { PasskeySettings } from './passkey-settings.js';

type RegistrationInfo = NonNullable<VerifiedRegistrationResponse['registrationInfo']>;

export interface VerifiedPasskey {
  passkey: PasskeyEntity;
  /** The authenticator checked its user (PIN or biometric). */
  userVerified: boolean;
  /** Synced to other devices (a software key, `swk`). */
  backedUp: boolean;
}

/** What a ceremony's answer must have been made for. */
export interface Expected {
  /** Checks the client data's challenge (see PasskeyChallenges). */
  challenge: (challenge: string) => boolean;
  requireUserVerification: boolean;
}

/** What removing a passkey must respect, and whom it tells. */
export interface PasskeyRules {
  /** Live policy (administrators' settings change it in place): an account must keep a soft token or a passkey. */
  policy: { required: boolean };
  tokens: { hasActive(userId: string): Promise<boolean> };
  guard: Pick<SuperadminGuard, 'beforePasskeyLoss'>;
  notices: Pick<SecurityNoticeService, 'notify'>;
}

/** An administrator may take an account's last way in (the user sets one up at the next sign-in). */
export interface PasskeyLossOptions {
  allowLast?: boolean;
}

// The classic algorithms authenticators ship with. Named here so the library does not probe Node's
// experimental post-quantum Web Crypto support (and warn about it) on every registration.
const ALGORITHMS = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];

/** The WebAuthn user handle: the account id, which says nothing about the person. */
export const userHandleOf = (userId: string): string => Buffer.from(userId, 'utf8').toString('base64url');

export class PasskeyService {
  readonly #repo: Repository<PasskeyEntity>;
  readonly #find: EntityLookup<PasskeyEntity>;
  /** A use recorded only if its counter still grows past the stored one (or both are 0): one statement. */
  readonly #used: KeptUpdate;
  readonly challenges: PasskeyChallenges;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    readonly settings: PasskeySettings,
    challengeKey: Buffer,
    private readonly rules: PasskeyRules,
  ) {
    this.#repo = ds.getRepository(PasskeyEntity);
    this.#used = new KeptUpdate(ds, 'UPDATE passkeys SET counter = $2, backup_state = $3, last_used_at = $4 WHERE id = $1 AND (counter < $2 OR ($2 = 0 AND counter = 0))');
    this.#find = new EntityLookup(ds, PasskeyEntity);
    this.challenges = new PasskeyChallenges(challengeKey, clock);
  }

  list(userId: string): Promise<PasskeyEntity[]> {
    return this.#repo.find({ where: { userId }, order: { createdAt: 'ASC' } });
  }

  has(userId: string): Promise<boolean> {
    return this.#find.exists({ userId });
  }

  async get(userId: string, id: string): Promise<PasskeyEntity> {
    const passkey = await this.#repo.findOneBy({ id, userId });
    if (!passkey) throw new AppError('passkey.not_found');
    return passkey;
  }

  /** The passkey an assertion names, if it is registered (to `userId`, when given). */
  async find(response: AuthenticationResponseJSON, userId?: string): Promise<PasskeyEntity | null> {
    const passkey = await this.#find.one({ credentialId: response.id });
    return passkey && (!userId || passkey.userId === userId) ? passkey : null;
  }

  /** A discoverable credential (the passkey names the account), any attestation accepted as `none`. */
  async registrationOptions(user: UserEntity, challenge: Uint8Array<ArrayBuffer>): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.list(user.id);
    return generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.settings.rpId,
      userName: user.username,
      userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
      userDisplayName: user.name || user.username,
      challenge,
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
  }

  /** Passwordless (no `userId`): any passkey of ours, user verification required. Second factor: the account's passkeys. */
  async authenticationOptions(challenge: Uint8Array<ArrayBuffer>, userId?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allowCredentials = userId ? (await this.list(userId)).map((p) => ({ id: p.credentialId, transports: p.transports })) : undefined;
    return generateAuthenticationOptions({
      rpID: this.settings.rpId,
      challenge,
      timeout: CHALLENGE_TTL_MS,
      userVerification: userId ? 'preferred' : 'required',
      allowCredentials,
    });
  }

  async register(user: UserEntity, response: RegistrationResponseJSON, expected: Expected, ctx: AuditContext, name?: string): Promise<PasskeyEntity> {
    let info;
    try {
      const result = await verifyRegistrationResponse({
        response,
        expectedChallenge: expected.challenge,
        expectedOrigin: this.settings.origin,
        expectedRPID: this.settings.rpId,
        requireUserVerification: expected.requireUserVerification,
        supportedAlgorithmIDs: ALGORITHMS,
      });
      if (!result.verified) throw new Error('attestation not verified');
      info = result.registrationInfo;
    } catch (err) {
      await this.#failed(ctx, user.id, 'registration', err);
      throw new AppError('passkey.registration_invalid');
    }
    const credentialId = info.credential.id;
    if (await this.#find.exists({ credentialId })) throw new AppError('passkey.exists');
    const passkey = await this.#insert(user, info, response, name);
    await this.audit.record({ ...ctx, type: 'passkey.registered', outcome: 'success', subject: user.id, details: { passkey: passkey.id, name: passkey.name, aaguid: passkey.aaguid, synced: passkey.backupState } });
    await this.rules.notices.notify(user, 'passkey_added', { tokenName: passkey.name }, ctx);
    return passkey;
  }

  /**
   * Stores a verified credential under a name the account does not use yet. Registered at once by
   * another request: the same credential is refused as registered; another one that took the name
   * leaves this one the next name.
   */
  async #insert(user: UserEntity, info: RegistrationInfo, response: RegistrationResponseJSON, name?: string): Promise<PasskeyEntity> {
    for (let attempt = 1; ; attempt++) {
      const passkey = this.#entity(user, info, response, await this.#freeName(user.id, name?.trim() ? name : deviceHint({ aaguid: info.aaguid, transports: [] }).name));
      try {
        await this.#repo.insert(passkey);
        return passkey;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        if (await this.#find.exists({ credentialId: info.credential.id })) throw new AppError('passkey.exists');
        if (attempt === 3) throw err;
      }
    }
  }

  #entity(user: UserEntity, info: RegistrationInfo, response: RegistrationResponseJSON, name: string): PasskeyEntity {
    return this.#repo.create({
      id: randomUUID(),
      userId: user.id,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: info.credential.transports ?? response.response.transports ?? [],
      backupEligible: info.credentialDeviceType === 'multiDevice',
      backupState: info.credentialBackedUp,
      aaguid: info.aaguid,
      // Unnamed, it takes its provider's name where the AAGUID is a known one ("iCloud Keychain").
      name,
      createdAt: this.clock.now(),
      lastUsedAt: null,
    });
  }

  /** Checks an assertion made with `passkey`; on success its counter, backup state and last use move on. */
  async verify(passkey: PasskeyEntity, response: AuthenticationResponseJSON, expected: Expected, ctx: AuditContext): Promise<VerifiedPasskey> {
    let challengeOk = true;
    const expectedChallenge = (c: string) => (challengeOk = expected.challenge(c));
    let info;
    try {
      if (response.response.userHandle && response.response.userHandle !== userHandleOf(passkey.userId)) throw new Error('user handle of another account');
      // The counter goes to the library as 0, so that it judges the signature alone: a counter
      // regression is only meaningful (and audited) on a response whose signature is good.
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge,
        expectedOrigin: this.settings.origin,
        expectedRPID: this.settings.rpId,
        credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: 0, transports: passkey.transports },
        requireUserVerification: expected.requireUserVerification,
      });
      if (!result.verified) throw new Error('signature not valid');
      info = result.authenticationInfo;
    } catch (err) {
      await this.#failed(ctx, passkey.userId, challengeOk ? 'invalid' : 'challenge', err, passkey);
      throw new AppError(challengeOk ? 'passkey.invalid' : 'passkey.replayed');
    }
    const { newCounter } = info;
    // WebAuthn §7.2: a counter that did not grow (when either is non-zero) may be a cloned authenticator.
    // Checked by the UPDATE itself, so that of two uses with one counter (sent at once) one is refused.
    const now = this.clock.now();
    if (!(await this.#used.run([passkey.id, newCounter, info.credentialBackedUp, now]))) {
      await this.audit.record({ ...ctx, type: 'passkey.counter_regressed', outcome: 'failure', subject: passkey.userId, details: { passkey: passkey.id, stored: passkey.counter, received: newCounter } });
      throw new AppError('passkey.counter');
    }
    Object.assign(passkey, { counter: newCounter, backupState: info.credentialBackedUp, lastUsedAt: now });
    await this.audit.record({ ...ctx, type: 'passkey.used', outcome: 'success', subject: passkey.userId, details: { passkey: passkey.id, userVerified: info.userVerified } });
    return { passkey, userVerified: info.userVerified, backedUp: info.credentialBackedUp };
  }

  async rename(userId: string, id: string, name: string, ctx: AuditContext): Promise<PasskeyEntity> {
    const passkey = await this.get(userId, id);
    const clean = validName(name);
    if (clean !== passkey.name && (await this.#find.exists({ userId, name: clean }))) throw new AppError('passkey.name_taken');
    await this.#repo.update({ id }, { name: clean });
    await this.audit.record({ ...ctx, type: 'passkey.renamed', outcome: 'success', subject: userId, details: { passkey: id, from: passkey.name, to: clean } });
    return Object.assign(passkey, { name: clean });
  }

  /**
   * The passkey `user` may lose, or the refusal: never the last super administrator's last way in,
   * and, where the policy requires a soft token or a passkey, never the account's last one (no other
   * passkey, no active soft token) unless an administrator takes it deliberately (`allowLast`).
   */
  async removable(user: UserEntity, id: string, options: PasskeyLossOptions = {}): Promise<PasskeyEntity> {
    const passkey = await this.get(user.id, id);
    await this.rules.guard.beforePasskeyLoss(user, passkey);
    if (!this.rules.policy.required || options.allowLast) return passkey;
    const others = await this.#repo.existsBy({ userId: user.id, id: Not(id) });
    if (!others && !(await this.rules.tokens.hasActive(user.id))) throw new AppError('passkey.last_way_in');
    return passkey;
  }

  async remove(user: UserEntity, id: string, ctx: AuditContext, options: PasskeyLossOptions = {}): Promise<PasskeyEntity> {
    const passkey = await this.removable(user, id, options);
    await this.#repo.delete({ id, userId: user.id });
    await this.audit.record({ ...ctx, type: 'passkey.deleted', outcome: 'success', subject: user.id, details: { passkey: id, name: passkey.name, ...(options.allowLast ? { allowLast: true } : {}) } });
    await this.rules.notices.notify(user, 'passkey_deleted', { tokenName: passkey.name }, ctx);
    return passkey;
  }

  async #freeName(userId: string, wanted?: string): Promise<string> {
    const base = wanted?.trim() ? validName(wanted) : 'Passkey';
    const taken = new Set((await this.list(userId)).map((p) => p.name));
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) {
      const candidate = `${base.slice(0, 60)} ${i}`;
      if (!taken.has(candidate)) return candidate;
    }
  }

  async #failed(ctx: AuditContext, userId: string, reason: string, err: unknown, passkey?: PasskeyEntity): Promise<void> {
    const detail = err instanceof Error ? err.message.slice(0, 200) : 'error';
    await this.audit.record({ ...ctx, type: 'passkey.failed', outcome: 'failure', subject: userId, details: { reason, detail, ...(passkey ? { passkey: passkey.id } : {}) } });
  }
}

function validName(name: string): string {
  const clean = name.trim();
  if (clean.length < 1 || clean.length > 64 || /[\p{Cc}]/u.test(clean)) throw new AppError('passkey.invalid_name');
  return clean;
}
