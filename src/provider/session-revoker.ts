// Ends everything an account holds at the provider: single sign-on sessions, grants, authorization
// codes, access and refresh tokens. Used when the password changes or an administrator disables,
// locks or deletes the account. Applications find out at their next token refresh or userinfo call.
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import { UserEntity } from '../persistence/entities/user.entity.js';
import type { Clock } from '../support/clock.js';

export class SessionRevoker {
  readonly #payloads: Repository<OidcPayloadEntity>;
  readonly #users: Repository<UserEntity>;

  constructor(
    ds: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {
    this.#payloads = ds.getRepository(OidcPayloadEntity);
    this.#users = ds.getRepository(UserEntity);
  }

  async endAll(accountId: string, reason: string, ctx: AuditContext = {}): Promise<number> {
    const { affected } = await this.#payloads.delete({ accountId });
    // My Profile and the admin console hold their own sealed-cookie sessions: they check this time.
    await this.#users.update({ id: accountId }, { sessionsEndedAt: this.clock.now() });
    await this.audit.record({ ...ctx, type: 'sessions.ended', outcome: 'success', subject: accountId, details: { reason, removed: affected ?? 0 } });
    return affected ?? 0;
  }
}
