// WebAuthn challenges that need no storage: each one is its issue time and an HMAC binding it to a
// purpose, one interaction and that interaction's attempt counter, so a page view writes nothing.
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../support/clock.js';

/** How long a page's passkey options stay good (also the ceremony's timeout). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
// Several processes read their own clocks: one a little ahead may have issued the challenge.
const SKEW_MS = 30_000;
const TIME_BYTES = 8;

export interface ChallengeBinding {
  purpose: 'authenticate' | 'register';
  /** The interaction the challenge belongs to. */
  uid: string;
  /** Moves on with every verification attempt in the interaction: an answered challenge is spent. */
  n: number;
}

export class PasskeyChallenges {
  readonly #key: KeyObject;

  constructor(
    key: Buffer,
    private readonly clock: Clock,
  ) {
    this.#key = createSecretKey(key);
  }

  issue(binding: ChallengeBinding): Uint8Array<ArrayBuffer> {
    const at = this.clock.now();
    const time = Buffer.alloc(TIME_BYTES);
    time.writeBigUInt64BE(BigInt(at));
    return new Uint8Array(Buffer.concat([time, this.#mac(binding, at)]));
  }

  /** Whether `challenge` (base64url, as the client data carries it) was issued for `binding` and is fresh. */
  check(challenge: string, binding: ChallengeBinding): boolean {
    const bytes = Buffer.from(challenge, 'base64url');
    if (bytes.length !== TIME_BYTES + 32) return false;
    const at = Number(bytes.readBigUInt64BE(0));
    const age = this.clock.now() - at;
    if (age > CHALLENGE_TTL_MS || age < -SKEW_MS) return false;
    return timingSafeEqual(bytes.subarray(TIME_BYTES), this.#mac(binding, at));
  }

  #mac({ purpose, uid, n }: ChallengeBinding, at: number): Buffer {
    return createHmac('sha256', this.#key).update(`${purpose}:${uid}:${n}:${at}`).digest();
  }
}
