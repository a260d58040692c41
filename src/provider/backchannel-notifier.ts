// Back-channel logout, audited: every logout token the provider sends is recorded as delivered or
// failed (with the reason), whichever path ended the session. Two paths end sessions:
// - the provider on its own (password changed, account disabled, locked or deleted, "sign out
//   everywhere" in My Profile or by an administrator): SessionRevoker calls the notifier below;
// - the user signing out at /session/end: oidc-provider sends the tokens itself and says how each
//   went in its `backchannel.success` / `backchannel.error` events, which auditBackchannelEvents records.
// A failed delivery ends nothing else. The requests go through outbound-fetch.ts (allowed
// addresses, one retry).
import type Provider from 'oidc-provider';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { EndedSessionsListener } from './session-revoker.js';

interface BackchannelClient {
  clientId: string;
  backchannelLogoutUri?: string;
  /** oidc-provider's own sender (not in its published types): builds, signs and posts the logout token. */
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 200) : 'unknown';
}

function recordDelivery(audit: AuditService, ctx: AuditContext, accountId: string, client: BackchannelClient, err?: unknown): Promise<void> {
  const host = client.backchannelLogoutUri ? URL.parse(client.backchannelLogoutUri)?.host : undefined;
  return audit.record({
    ...ctx,
    type: err === undefined ? 'sessions.backchannel_delivered' : 'sessions.backchannel_failed',
    outcome: err === undefined ? 'success' : 'failure',
    subject: accountId,
    clientId: client.clientId,
    details: err === undefined ? { host: host ?? null } : { host: host ?? null, reason: reasonOf(err) },
  });
}

export function backchannelNotifier(provider: Provider, audit: AuditService): EndedSessionsListener {
  return async (accountId, ended, ctx) => {
    await Promise.all(
      ended.map(async ({ clientId, sid }) => {
        const client = (await provider.Client.find(clientId)) as unknown as BackchannelClient | undefined;
        if (!client?.backchannelLogoutUri) return;
        try {
          await client.backchannelLogout(accountId, sid);
        } catch (err) {
          return recordDelivery(audit, ctx, accountId, client, err);
        }
        await recordDelivery(audit, ctx, accountId, client);
      }),
    );
  };
}

/** Audits the logout tokens oidc-provider sends when a user signs out at /session/end. */
export function auditBackchannelEvents(provider: Provider, audit: AuditService, log: Logger): void {
  const ctxOf = (ctx: KoaContextWithOIDC, accountId: string): AuditContext => ({ actor: accountId, ip: ctx.ip });
  const write = (work: Promise<void>) => void work.catch((err) => log.warn({ err }, 'back-channel audit failed'));
  provider.on('backchannel.success', (ctx: KoaContextWithOIDC, client: Client, accountId: string) => {
    write(recordDelivery(audit, ctxOf(ctx, accountId), accountId, client as unknown as BackchannelClient));
  });
  provider.on('backchannel.error', (ctx: KoaContextWithOIDC, err: Error, client: Client, accountId: string) => {
    write(recordDelivery(audit, ctxOf(ctx, accountId), accountId, client as unknown as BackchannelClient, err));
  });
}
