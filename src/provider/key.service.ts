// Signing keys: generated at first start, sealed at rest, rotated by the CLI. Servers read the keys
// when they start. With several servers, a rotation is staged so that no server ever signs with a
// key another one does not publish yet: `prepare` publishes the next key (servers restart one by
// one), `rotate` makes it the signing key (servers restart again). Retired keys stay published long
// enough for every token they signed to expire.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { LessThan, type DataSource, type Repository } from 'typeorm';
import type { JWK } from 'oidc-provider';
import { type KeyStatus, SigningKeyEntity } from '../persistence/entities/signing-key.entity.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Clock } from '../support/clock.js';

/** How long a retired key stays published (longer than any ID token or JWT access token lives). */
export const RETIRED_KEY_RETENTION_MS = 24 * 3600 * 1000;

const PUBLISH_ORDER: KeyStatus[] = ['active', 'next', 'retired'];

export interface Rotation {
  /** The new signing key. */
  kid: string;
  retired: string[];
  /** Whether the new key had been published beforehand (`prepare`). */
  staged: boolean;
}

export class KeyService {
  readonly #repo: Repository<SigningKeyEntity>;

  constructor(ds: DataSource, private readonly box: SecretBox, private readonly clock: Clock) {
    this.#repo = ds.getRepository(SigningKeyEntity);
  }

  /** Private JWKs for oidc-provider: the signing (newest active) key first, then the next key, then retired ones. */
  async jwks(): Promise<JWK[]> {
    await this.#repo.delete({ status: 'retired', retiredAt: LessThan(this.clock.now() - RETIRED_KEY_RETENTION_MS) });
    let rows = await this.#newestFirst();
    if (!rows.some((r) => r.status === 'active')) {
      // First start (or a database with a prepared key only): that key signs, else a new one.
      const next = rows.find((r) => r.status === 'next');
      if (next) await this.#repo.update({ kid: next.kid }, { status: 'active' });
      else await this.#generate('active');
      rows = await this.#newestFirst();
    }
    const ordered = PUBLISH_ORDER.flatMap((status) => rows.filter((r) => r.status === status));
    return ordered.map((r) => JSON.parse(this.box.openText(r.jwk, r.kid)) as JWK);
  }

  /** Publishes the key that the next rotation will sign with (the same one if already prepared). */
  async prepare(): Promise<{ kid: string; created: boolean }> {
    const next = await this.#next();
    if (next) return { kid: next.kid, created: false };
    return { kid: await this.#generate('next'), created: true };
  }

  /** Retires every active key; the prepared key (or a new one) signs from each server's next start. */
  async rotate(): Promise<Rotation> {
    const active = await this.#repo.findBy({ status: 'active' });
    const next = await this.#next();
    const kid = next?.kid ?? (await this.#generate('active'));
    if (next) await this.#repo.update({ kid }, { status: 'active' });
    const now = this.clock.now();
    for (const key of active) await this.#repo.update({ kid: key.kid }, { status: 'retired', retiredAt: now });
    return { kid, retired: active.map((k) => k.kid), staged: !!next };
  }

  async list(): Promise<Array<Pick<SigningKeyEntity, 'kid' | 'alg' | 'status' | 'createdAt' | 'retiredAt'>>> {
    const rows = await this.#newestFirst();
    return rows.map(({ kid, alg, status, createdAt, retiredAt }) => ({ kid, alg, status, createdAt, retiredAt }));
  }

  /** The prepared key, if any. */
  #next(): Promise<SigningKeyEntity | null> {
    return this.#repo.findOne({ where: { status: 'next' }, order: { createdAt: 'DESC' } });
  }

  #newestFirst(): Promise<SigningKeyEntity[]> {
    return this.#repo.find({ order: { createdAt: 'DESC' } });
  }

  async #generate(status: KeyStatus): Promise<string> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    await this.#repo.insert({ kid, alg: 'RS256', jwk: this.box.seal(JSON.stringify(jwk), kid), status, createdAt: this.clock.now(), retiredAt: null });
    return kid;
  }
}
