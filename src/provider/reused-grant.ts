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
  const source = await grantSource(ctx);
  const grantId = source?.grantId;
  if (grantId) await Promise.all([ctx.oidc.provider.AccessToken.revokeByGrantId(grantId), ctx.oidc.provider.Grant.adapter.destroy(grantId)]);
  await recordReuse(ctx, audit, true);
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
    void recordReuse(ctx, audit, false).catch((e: unknown) => log.warn({ err: e }, 'grant reuse audit failed'));
  });
}

type Source = { kind: string; accountId?: string; grantId?: string } | undefined;
const expired = { ignoreExpiration: true };

/** The parameter that presents each single-use grant, with its kind and how to find it. */
const PRESENTED: ReadonlyArray<readonly [param: string, kind: string, find: (provider: Provider, id: string) => Promise<Source>]> = [
  ['code', 'AuthorizationCode', (provider, id) => provider.AuthorizationCode.find(id, expired)],
  ['device_code', 'DeviceCode', (provider, id) => provider.DeviceCode.find(id, expired)],
  ['auth_req_id', 'BackchannelAuthenticationRequest', (provider, id) => provider.BackchannelAuthenticationRequest.find(id, expired)],
];

/**
 * The single-use grant a token request presented: a refresh token is known to the request by then;
 * a code is not yet (oidc-provider names it once it is used), so it is looked up again. After a
 * reuse oidc-provider refused itself, the code is gone with its grant: only its kind is known.
 */
async function grantSource(ctx: KoaContextWithOIDC): Promise<Source> {
  const { entities, params, provider } = ctx.oidc;
  const known = entities.RotatedRefreshToken ?? entities.RefreshToken ?? entities.AuthorizationCode ?? entities.DeviceCode ?? entities.BackchannelAuthenticationRequest;
  if (known) return known;
  for (const [param, kind, find] of PRESENTED) {
    const value = params?.[param];
    if (typeof value === 'string') return (await find(provider, value)) ?? { kind };
  }
  return undefined;
}

/** `concurrent`: the grant was claimed by a request at the same time, rather than used before. */
async function recordReuse(ctx: KoaContextWithOIDC, audit: AuditService, concurrent: boolean): Promise<void> {
  const source = await grantSource(ctx);
  await audit.record({
    type: 'grant.reused',
    outcome: 'failure',
    subject: source?.accountId ?? null,
    clientId: ctx.oidc.client?.clientId ?? null,
    ip: ctx.ip,
    // Revoked: by refuseReusedGrant when the grant is known, by oidc-provider when it saw the reuse itself.
    details: { grant: source?.kind ?? null, revoked: !concurrent || Boolean(source?.grantId), concurrent },
  });
}
