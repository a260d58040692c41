// Argon2id hashing with OWASP parameters; a dummy verify keeps timing equal for unknown users.
// Hashes made with other parameters still verify (the parameters are in the hash) and are replaced
// at the owner's next sign-in, so raising ARGON2_* reaches every account that signs in.
import argon2 from 'argon2';
import type { Config } from '../config/config.js';

export class PasswordHasher {
  #dummy: Promise<string> | undefined;

  constructor(private readonly params: Config['argon2']) {}

  hash(plain: string): Promise<string> {
    return argon2.hash(plain, { type: argon2.argon2id, ...this.params });
  }

  /** Whether `hash` was made with other parameters than the configured ones. */
  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, this.params);
    } catch {
      return false; // not an argon2 hash at all: verify refuses it anyway
    }
  }

  /** The `m=…,t=…,p=…` part of an encoded hash (never its salt or digest), for the audit trail. */
  parametersOf(hash: string): string {
    return hash.split('$').find((part) => part.startsWith('m=')) ?? 'unknown';
  }

  async verify(hash: string, plain: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, plain);
    } catch {
      return false;
    }
  }

  /**
   * Verifies a sign-in. A hash made with other (usually cheaper, older) parameters is checked next to a
   * dummy verification with today's, so its answer takes as long as an unknown user's would: the time
   * does not tell which accounts exist until they have all signed in once.
   */
  async verifyEvenly(hash: string, plain: string): Promise<boolean> {
    if (!this.needsRehash(hash)) return this.verify(hash, plain);
    const [ok] = await Promise.all([this.verify(hash, plain), this.verifyDummy(plain)]);
    return ok;
  }

  /** Spends the same work as a real verification and always fails. */
  async verifyDummy(plain: string): Promise<false> {
    this.#dummy ??= this.hash('dummy-password-for-timing');
    await this.verify(await this.#dummy, plain);
    return false;
  }
}
