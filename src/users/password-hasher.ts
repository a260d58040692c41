// Argon2id hashing with OWASP parameters; a dummy verify keeps timing equal for unknown users.
import argon2 from 'argon2';
import type { Config } from '../config/config.js';

export class PasswordHasher {
  #dummy: Promise<string> | undefined;

  constructor(private readonly params: Config['argon2']) {}

  hash(plain: string): Promise<string> {
    return argon2.hash(plain, { type: argon2.argon2id, ...this.params });
  }

  async verify(hash: string, plain: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, plain);
    } catch {
      return false;
    }
  }

  /** Spends the same work as a real verification and always fails. */
  async verifyDummy(plain: string): Promise<false> {
    this.#dummy ??= this.hash('dummy-password-for-timing');
    await this.verify(await this.#dummy, plain);
    return false;
  }
}
