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

/** The signing algorithms the provider holds a key for; clients choose with `id_token_signed_response_alg`. */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface Rotation {
  /** The new RS256 signing key (the default algorithm). */
  kid: string;
  /** The new signing key of each algorithm. */
  kids: Record<SigningAlg, string>;
  retired: string[];
  /** Whether the new keys had been published beforehand (`prepare`). */
  staged: boolean;
}

export class KeyService {
  readonly #repo: Repository<SigningKeyEntity>;

  constructor(ds: DataSource, private readonly box: SecretBox, private readonly clock: Clock) {
    this.#repo = ds.getRepository(SigningKeyEntity);
  }

  /**
   * Private JWKs for oidc-provider: the signing (newest active) keys first, then the next keys, then
   * retired ones. oidc-provider signs with the first key of the algorithm asked for.
   */
  async jwks(): Promise<JWK[]> {
    await this.#repo.delete({ status: 'retired', retiredAt: LessThan(this.clock.now() - RETIRED_KEY_RETENTION_MS) });
    let rows = await this.#newestFirst();
    let changed = false;
    for (const alg of SIGNING_ALGS) {
      if (rows.some((r) => r.status === 'active' && r.alg === alg)) continue;
      // First start, a database with a prepared key only, or one from before this algorithm: that key signs, else a new one.
      const next = rows.find((r) => r.status === 'next' && r.alg === alg);
      if (next) await this.#repo.update({ kid: next.kid }, { status: 'active' });
      else await this.#generate('active', alg);
      changed = true;
    }
    if (changed) rows = await this.#newestFirst();
    // RS256 first: oidc-provider's default algorithm, and what a verifier that takes the first key expects.
    const ordered = PUBLISH_ORDER.flatMap((status) => SIGNING_ALGS.flatMap((alg) => rows.filter((r) => r.status === status && r.alg === alg)));
    return ordered.map((r) => JSON.parse(this.box.openText(r.jwk, r.kid)) as JWK);
  }

  /** Publishes the keys that the next rotation will sign with (the same ones if already prepared). */
  async prepare(): Promise<{ kid: string; kids: Record<SigningAlg, string>; created: boolean }> {
    const kids = {} as Record<SigningAlg, string>;
    let created = false;
    for (const alg of SIGNING_ALGS) {
      const next = await this.#next(alg);
      if (next) kids[alg] = next.kid;
      else {
        kids[alg] = await this.#generate('next', alg);
        created = true;
      }
    }
    return { kid: kids.RS256, kids, created };
  }

  /** Retires every active key; the prepared keys (or new ones) sign from each server's next start. */
  async rotate(): Promise<Rotation> {
    const active = await this.#repo.findBy({ status: 'active' });
    const kids = {} as Record<SigningAlg, string>;
    let staged = true;
    for (const alg of SIGNING_ALGS) {
      const next = await this.#next(alg);
      if (next) {
        await this.#repo.update({ kid: next.kid }, { status: 'active' });
        kids[alg] = next.kid;
      } else {
        kids[alg] = await this.#generate('active', alg);
        staged = false;
      }
    }
    const now = this.clock.now();
    for (const key of active) await this.#repo.update({ kid: key.kid }, { status: 'retired', retiredAt: now });
    return { kid: kids.RS256, kids, retired: active.map((k) => k.kid), staged };
  }

  async list(): Promise<Array<Pick<SigningKeyEntity, 'kid' | 'alg' | 'status' | 'createdAt' | 'retiredAt'>>> {
    const rows = await this.#newestFirst();
    return rows.map(({ kid, alg, status, createdAt, retiredAt }) => ({ kid, alg, status, createdAt, retiredAt }));
  }

  /** The prepared key of `alg`, if any. */
  #next(alg: SigningAlg): Promise<SigningKeyEntity | null> {
    return this.#repo.findOne({ where: { status: 'next', alg }, order: { createdAt: 'DESC' } });
  }

  #newestFirst(): Promise<SigningKeyEntity[]> {
    return this.#repo.find({ order: { createdAt: 'DESC' } });
  }

  async #generate(status: KeyStatus, alg: SigningAlg): Promise<string> {
    const { privateKey } = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = randomUUID();
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
    await this.#repo.insert({ kid, alg, jwk: this.box.seal(JSON.stringify(jwk), kid), status, createdAt: this.clock.now(), retiredAt: null });
    return kid;
  }
}
