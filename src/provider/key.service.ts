// Signing keys: generated at first start, sealed at rest, rotated by the CLI. Retired keys stay
// published long enough for every token they signed to expire.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { LessThan, type DataSource, type Repository } from 'typeorm';
import type { JWK } from 'oidc-provider';
import { SigningKeyEntity } from '../persistence/entities/signing-key.entity.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Clock } from '../support/clock.js';

/** How long a retired key stays published (longer than any ID token or JWT access token lives). */
export const RETIRED_KEY_RETENTION_MS = 24 * 3600 * 1000;

export class KeyService {
  readonly #repo: Repository<SigningKeyEntity>;

  constructor(ds: DataSource, private readonly box: SecretBox, private readonly clock: Clock) {
    this.#repo = ds.getRepository(SigningKeyEntity);
  }

  /** Private JWKs for oidc-provider, the signing (newest active) key first. */
  async jwks(): Promise<JWK[]> {
    await this.#repo.delete({ status: 'retired', retiredAt: LessThan(this.clock.now() - RETIRED_KEY_RETENTION_MS) });
    let rows = await this.#repo.find({ order: { createdAt: 'DESC' } });
    if (!rows.some((r) => r.status === 'active')) {
      await this.#generate();
      rows = await this.#repo.find({ order: { createdAt: 'DESC' } });
    }
    const ordered = [...rows.filter((r) => r.status === 'active'), ...rows.filter((r) => r.status === 'retired')];
    return ordered.map((r) => JSON.parse(this.box.openText(r.jwk, r.kid)) as JWK);
  }

  /** Retires every active key and makes a new one; running servers pick it up at their next start. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const active = await this.#repo.findBy({ status: 'active' });
    const kid = await this.#generate();
    const now = this.clock.now();
    for (const key of active) await this.#repo.update({ kid: key.kid }, { status: 'retired', retiredAt: now });
    return { kid, retired: active.map((k) => k.kid) };
  }

  async list(): Promise<Array<Pick<SigningKeyEntity, 'kid' | 'alg' | 'status' | 'createdAt' | 'retiredAt'>>> {
    const rows = await this.#repo.find({ order: { createdAt: 'DESC' } });
    return rows.map(({ kid, alg, status, createdAt, retiredAt }) => ({ kid, alg, status, createdAt, retiredAt }));
  }

  async #generate(): Promise<string> {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomUUID();
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    await this.#repo.insert({ kid, alg: 'RS256', jwk: this.box.seal(JSON.stringify(jwk), kid), status: 'active', createdAt: this.clock.now(), retiredAt: null });
    return kid;
  }
}
