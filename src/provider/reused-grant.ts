// A single-use grant (an authorization code, a refresh token being rotated, a device code) is used
// once, even when two requests present it at once (RFC 6749 §4.1.2 and §10.5, RFC 9700 §4.14).
// oidc-provider reads the grant, checks it is unused, and marks it used a few steps later; two
// requests that both read it before either marked it would each get tokens. So the adapter marks it
// by claiming its row (an UPDATE that only an unused row satisfies), and the request whose claim
// finds the row taken is refused as a reuse, the way oidc-provider refuses one it sees itself: the
// grant is revoked, which ends the tokens the other request got as well (one of the two was not
// the client), and the refusal is audited.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
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
  const { entities, provider, client } = ctx.oidc;
  const source = entities.RotatedRefreshToken ?? entities.RefreshToken ?? entities.AuthorizationCode ?? entities.DeviceCode ?? entities.BackchannelAuthenticationRequest;
  const grantId = source?.grantId;
  if (grantId) await Promise.all([provider.AccessToken.revokeByGrantId(grantId), provider.Grant.adapter.destroy(grantId)]);
  await audit.record({
    type: 'grant.reused',
    outcome: 'failure',
    subject: source?.accountId ?? null,
    clientId: client?.clientId ?? null,
    ip: ctx.ip,
    details: { grant: source?.kind ?? null, revoked: Boolean(grantId) },
  });
  ctx.status = 400;
  ctx.body = { error: 'invalid_grant', error_description: 'grant request is invalid' };
}
