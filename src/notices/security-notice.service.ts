// "If this wasn't you…" e-mails for changes to how an account signs in. A notice that cannot be
// sent is audited by the delivery service and never blocks the change itself.
import type { AuditContext } from '../audit/audit.service.js';
import type { DeliveryService, Recipient } from '../delivery/delivery.service.js';
import type { Clock } from '../support/clock.js';

/** Each kind's words are `notice.<kind>` in the catalogues (src/i18n), in the user's language. */
export const NOTICE_KINDS = ['token_added', 'token_recreated', 'token_reactivated', 'token_deleted', 'passkey_added', 'passkey_deleted', 'questions_changed', 'password_changed', 'password_reset', 'recovery_code_used', 'recovery_codes_replaced'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export class SecurityNoticeService {
  constructor(
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
  ) {}

  async notify(user: Recipient, kind: NoticeKind, details: { tokenName?: string; serial?: string; remaining?: number } = {}, ctx: AuditContext = {}): Promise<void> {
    try {
      await this.delivery.sendMail('security-notice', user, { kind, ...details, at: this.clock.now(), ip: ctx.ip }, ctx);
    } catch {
      // Already audited as delivery.failed.
    }
  }
}
