// Where an account is signed in: its single sign-on sessions at the provider, with when they began,
// the factors used and the applications that took part. (Ending them: session-revoker.ts.)
import { MoreThan, type DataSource, type Repository } from 'typeorm';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import type { Clock } from '../support/clock.js';

export interface AccountSession {
  /** Epoch ms of the sign-in. */
  signedInAt: number;
  /** Epoch ms when the session ends unless used again. */
  expiresAt: number | null;
  factors: string[];
  applications: string[];
}

export class AccountSessions {
  readonly #payloads: Repository<OidcPayloadEntity>;

  constructor(ds: DataSource, private readonly clock: Clock) {
    this.#payloads = ds.getRepository(OidcPayloadEntity);
  }

  /** The account's live sessions, newest first. */
  async list(accountId: string): Promise<AccountSession[]> {
    const rows = await this.#payloads.find({
      select: { payload: true, expiresAt: true },
      where: { accountId, model: 'Session', expiresAt: MoreThan(this.clock.now()) },
    });
    return rows
      .map(({ payload, expiresAt }) => ({
        signedInAt: Number(payload.loginTs ?? 0) * 1000,
        expiresAt,
        factors: Array.isArray(payload.amr) ? payload.amr.map(String) : [],
        applications: Object.keys((payload.authorizations ?? {}) as Record<string, unknown>).sort(),
      }))
      .sort((a, b) => b.signedInAt - a.signedInAt);
  }
}
