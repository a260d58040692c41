// Server secrets made on first start and shared by every process through the database.
import { randomBytes } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { SecretEntity } from '../persistence/entities/secret.entity.js';
import type { Clock } from '../support/clock.js';
import type { SecretBox } from './secret-box.js';

export class SecretService {
  readonly #repo: Repository<SecretEntity>;

  constructor(ds: DataSource, private readonly box: SecretBox, private readonly clock: Clock) {
    this.#repo = ds.getRepository(SecretEntity);
  }

  /** The named secret, created with `make` when absent (first writer wins between processes). */
  async getOrCreate(name: string, make: () => string): Promise<string> {
    const existing = await this.#repo.findOneBy({ name });
    if (existing) return this.box.openText(existing.value, name);
    try {
      await this.#repo.insert({ name, value: this.box.seal(make(), name), createdAt: this.clock.now() });
    } catch {
      // Lost the race to another process: read theirs below.
    }
    const row = await this.#repo.findOneByOrFail({ name });
    return this.box.openText(row.value, name);
  }

  async bytes(name: string, length = 32): Promise<Buffer> {
    return Buffer.from(await this.getOrCreate(name, () => randomBytes(length).toString('base64')), 'base64');
  }
}
