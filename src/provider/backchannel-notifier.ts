// Back-channel logout for sessions the provider ends on its own (password changed, account disabled,
// locked or deleted): each application that registered a back-channel logout URI receives a signed
// logout token, as when the user signs out. A failed delivery is audited and ends nothing else.
import type Provider from 'oidc-provider';
import type { AuditService } from '../audit/audit.service.js';
import type { EndedSessionsListener } from './session-revoker.js';

interface BackchannelClient {
  backchannelLogoutUri?: string;
  /** oidc-provider's own sender (not in its published types): builds, signs and posts the logout token. */
  backchannelLogout(sub: string, sid: string): Promise<void>;
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
          const reason = err instanceof Error ? err.message.slice(0, 200) : 'unknown';
          await audit.record({ ...ctx, type: 'sessions.backchannel_failed', outcome: 'failure', subject: accountId, clientId, details: { reason } });
        }
      }),
    );
  };
}
