// Registering a passkey from My Profile, where there is no interaction to bind the challenge to: the
// same stateless HMAC challenges, bound to this My Profile sign-in (its ID token) and to an attempt
// counter kept in a sealed cookie. Every answer moves the counter on, so an answered challenge is
// spent. A browser that sends an old cookie back can at most answer again for a credential it has
// just registered, which is refused as already registered.
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { AuditContext } from '../audit/audit.service.js';
import type { ConsoleSession } from '../console/self-sign-in.js';
import type { PasskeyService } from '../passkeys/passkey.service.js';
import type { ChallengeBinding } from '../passkeys/passkey-challenge.js';
import { CHALLENGE_TTL_MS } from '../passkeys/passkey-challenge.js';
import { parseRegistrationResponse } from '../passkeys/passkey-response.js';
import type { PasskeyEntity } from '../persistence/entities/passkey.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import type { SecretBox } from '../security/secret-box.js';

const COOKIE = 'account_passkey';

interface Counter {
  /** The sign-in the counter belongs to. */
  s: string;
  n: number;
}

export class PortalPasskeyCeremony {
  constructor(
    private readonly passkeys: PasskeyService,
    private readonly box: SecretBox,
    private readonly secure: boolean,
    private readonly path: string,
  ) {}

  /** The registration options the add page hands to the browser. */
  async options(ctx: Context, user: UserEntity, session: ConsoleSession): Promise<string> {
    const challenge = this.passkeys.challenges.issue(this.#binding(ctx, session));
    return JSON.stringify(await this.passkeys.registrationOptions(user, challenge));
  }

  /** Checks the browser's answer (field `response`) against the challenge this sign-in was last given. */
  async register(ctx: Context, user: UserEntity, session: ConsoleSession, field: string, name: string, audit: AuditContext): Promise<PasskeyEntity> {
    const binding = this.#binding(ctx, session);
    this.#save(ctx, { s: binding.uid, n: binding.n + 1 });
    const response = parseRegistrationResponse(field);
    const challenge = (c: string) => this.passkeys.challenges.check(c, binding);
    // As at the first sign-in: any passkey is welcome, user verification or not.
    return this.passkeys.register(user, response, { challenge, requireUserVerification: false }, audit, name.trim() || undefined);
  }

  #binding(ctx: Context, session: ConsoleSession): ChallengeBinding {
    const uid = `account:${createHash('sha256').update(session.idToken).digest('base64url').slice(0, 32)}`;
    const counter = this.#read(ctx);
    return { purpose: 'register', uid, n: counter?.s === uid ? counter.n : 0 };
  }

  #read(ctx: Context): Counter | undefined {
    const sealed = ctx.cookies.get(COOKIE);
    if (!sealed) return undefined;
    try {
      const value = JSON.parse(this.box.openText(sealed, COOKIE)) as Counter;
      return typeof value.s === 'string' && Number.isInteger(value.n) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  #save(ctx: Context, counter: Counter): void {
    // Outlives the challenges it counts for, no more.
    ctx.cookies.set(COOKIE, this.box.seal(JSON.stringify(counter), COOKIE), { httpOnly: true, sameSite: 'lax', secure: this.secure, path: this.path, overwrite: true, maxAge: 2 * CHALLENGE_TTL_MS });
  }
}
