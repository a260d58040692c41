// Ends everything an account holds at the provider: single sign-on sessions, grants, authorization
// codes, access and refresh tokens. Used when the password changes or an administrator disables,
// locks or deletes the account. Applications find out at their next token refresh or userinfo call.
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';

export class SessionRevoker {
  readonly #payloads: Repository<OidcPayloadEntity>;

  constructor(ds: DataSource, private readonly audit: AuditService) {
    this.#payloads = ds.getRepository(OidcPayloadEntity);
  }

  async endAll(accountId: string, reason: string, ctx: AuditContext = {}): Promise<number> {
    const { affected } = await this.#payloads.delete({ accountId });
    await this.audit.record({ ...ctx, type: 'sessions.ended', outcome: 'success', subject: accountId, details: { reason, removed: affected ?? 0 } });
    return affected ?? 0;
  }
}
