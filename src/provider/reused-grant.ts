// A single-use grant (an authorization code, a refresh token being rotated, a device code) is used
// once, even when two requests present it at once (RFC 6749 §4.1.2 and §10.5, RFC 9700 §4.14).
// oidc-provider reads the grant, checks it is unused, and marks it used a few steps later; two
// requests that both read it before either marked it would each get tokens. So the adapter marks it
// by claiming its row (an UPDATE that only an unused row satisfies), and the request whose claim
// finds the row taken is refused as a reuse, the way oidc-provider refuses one it sees itself: the
// grant is revoked, which ends the tokens the other request got as well (one of the two was not
// the client), and the refusal is audited.
//
// A grant presented after it was used is refused by oidc-provider itself (it revokes the grant too);
// that refusal is audited the same way (`auditReusedGrants`).
import type { Logger } from 'pino';
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import type { AuditService } from '../audit/audit.service.js';

/** The claim of a single-use grant found it used (or gone). */
export class ReusedGrant extends errors.InvalidGrant {
  constructor() {
    super('grant already used by another request');
  }
}

/**
 * Answers a token request whose grant was claimed by another request: the grant and every token
 * issued under it revoked, `invalid_grant`, an audit event.
 */
export async function refuseReusedGrant(ctx: KoaContextWithOIDC, audit: AuditService): Promise<void> {
  const source = grantSource(ctx);
  const grantId = source?.grantId;
  if (grantId) await Promise.all([ctx.oidc.provider.AccessToken.revokeByGrantId(grantId), ctx.oidc.provider.Grant.adapter.destroy(grantId)]);
  await recordReuse(ctx, audit, source, Boolean(grantId), true);
  ctx.status = 400;
  ctx.body = { error: 'invalid_grant', error_description: 'grant request is invalid' };
}

/** oidc-provider's words for a grant presented after it was used (grant_source.js, refresh_token.js). */
const USED_AGAIN = / already (consumed|used)$/;

/** Audits the reuses oidc-provider refuses itself: a grant presented after it was used (it revokes the grant). */
export function auditReusedGrants(provider: Provider, audit: AuditService, log: Logger): void {
  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: unknown) => {
    // A claim refused is audited where it is answered (refuseReusedGrant).
    if (!(err instanceof errors.InvalidGrant) || err instanceof ReusedGrant || !USED_AGAIN.test(err.error_detail ?? '')) return;
    void recordReuse(ctx, audit, grantSource(ctx), true, false).catch((e: unknown) => log.warn({ err: e }, 'grant reuse audit failed'));
  });
}

type Source = { kind: string; accountId?: string; grantId?: string } | undefined;

/** The parameter that presents each single-use grant other than a refresh token, and its kind. */
const PRESENTED: ReadonlyArray<readonly [param: string, kind: string]> = [
  ['code', 'AuthorizationCode'],
  ['device_code', 'DeviceCode'],
  ['auth_req_id', 'BackchannelAuthenticationRequest'],
];

/**
 * The single-use grant a token request presented. oidc-provider names a code to the request only
 * once it is used; a code presented after it was used is gone with its grant by the time the
 * refusal is heard: only its kind is known, from the parameter.
 */
function grantSource(ctx: KoaContextWithOIDC): Source {
  const { entities, params } = ctx.oidc;
  const known = entities.RotatedRefreshToken ?? entities.RefreshToken ?? entities.AuthorizationCode ?? entities.DeviceCode ?? entities.BackchannelAuthenticationRequest;
  if (known) return known;
  const presented = PRESENTED.find(([param]) => typeof params?.[param] === 'string');
  return presented && { kind: presented[1] };
}

/** `concurrent`: the grant was claimed by a request at the same time, rather than used before. */
async function recordReuse(ctx: KoaContextWithOIDC, audit: AuditService, source: Source, revoked: boolean, concurrent: boolean): Promise<void> {
  await audit.record({
    type: 'grant.reused',
    outcome: 'failure',
    subject: source?.accountId ?? null,
    clientId: ctx.oidc.client?.clientId ?? null,
    ip: ctx.ip,
    details: { grant: source?.kind ?? null, revoked, concurrent },
  });
}
