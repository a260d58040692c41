// Ends everything an account holds at the provider: single sign-on sessions, grants, authorization
// codes, access and refresh tokens. Used when the password changes or an administrator disables,
// locks or deletes the account. Applications with a back-channel logout URI are told at once;
// the others find out at their next token refresh or userinfo call.
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import type { Clock } from '../support/clock.js';
import type { UserService } from '../users/user.service.js';

/** An application that took part in an ended session, and that session's id for it. */
export interface EndedAuthorization {
  clientId: string;
  sid: string;
}

export type EndedSessionsListener = (accountId: string, ended: EndedAuthorization[], ctx: AuditContext) => Promise<void>;

export class SessionRevoker {
  readonly #payloads: Repository<OidcPayloadEntity>;
  #listener: EndedSessionsListener | undefined;

  constructor(
    ds: DataSource,
    private readonly users: UserService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {
    this.#payloads = ds.getRepository(OidcPayloadEntity);
  }

  /** Called after sessions end, with the applications they involved (back-channel logout). */
  onEnded(listener: EndedSessionsListener): void {
    this.#listener = listener;
  }

  async endAll(accountId: string, reason: string, ctx: AuditContext = {}): Promise<number> {
    const sessions = await this.#payloads.find({ select: { payload: true }, where: { accountId, model: 'Session' } });
    const ended = sessions.flatMap((s) => authorizationsOf(s.payload));
    const { affected } = await this.#payloads.delete({ accountId });
    // My Profile and the admin console hold their own sealed-cookie sessions: they check this time.
    await this.users.update(accountId, { sessionsEndedAt: this.clock.now() }, { edit: false });
    await this.audit.record({ ...ctx, type: 'sessions.ended', outcome: 'success', subject: accountId, details: { reason, removed: affected ?? 0 } });
    if (ended.length && this.#listener) await this.#listener(accountId, ended, ctx);
    return affected ?? 0;
  }
}

/** oidc-provider keeps, per session, `authorizations: { [clientId]: { sid, … } }`. */
function authorizationsOf(payload: Record<string, unknown>): EndedAuthorization[] {
  const authorizations = (payload.authorizations ?? {}) as Record<string, { sid?: unknown }>;
  return Object.entries(authorizations)
    .filter(([, a]) => typeof a?.sid === 'string')
    .map(([clientId, a]) => ({ clientId, sid: a.sid as string }));
}
