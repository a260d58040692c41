// "If this wasn't you…" e-mails for changes to how an account signs in. A notice that cannot be
// sent is audited by the delivery service and never blocks the change itself.
import type { AuditContext } from '../audit/audit.service.js';
import type { DeliveryService, Recipient } from '../delivery/delivery.service.js';
import type { Clock } from '../support/clock.js';

export type NoticeKind = 'token_added' | 'token_recreated' | 'token_reactivated' | 'token_deleted' | 'passkey_added' | 'passkey_deleted' | 'questions_changed' | 'password_changed' | 'password_reset' | 'recovery_code_used' | 'recovery_codes_replaced';

const what: Record<NoticeKind, string> = {
  token_added: 'A soft token was added to your account',
  token_recreated: 'Your soft token was recreated after you said it was lost',
  token_reactivated: 'Your soft token was reactivated',
  token_deleted: 'A soft token was deleted from your account',
  passkey_added: 'A passkey was added to your account',
  passkey_deleted: 'A passkey was deleted from your account',
  questions_changed: 'Your security questions were changed',
  password_changed: 'Your password was changed',
  password_reset: 'Your password was reset from the sign-in page (forgotten password), and every session of your account ended',
  recovery_code_used: 'A recovery code was used to sign in to your account',
  recovery_codes_replaced: 'New recovery codes were made for your account; the old ones no longer work',
};

export class SecurityNoticeService {
  constructor(
    private readonly delivery: DeliveryService,
    private readonly clock: Clock,
  ) {}

  async notify(user: Recipient, kind: NoticeKind, details: { tokenName?: string; serial?: string; remaining?: number } = {}, ctx: AuditContext = {}): Promise<void> {
    try {
      await this.delivery.sendMail('security-notice', user, { kind, what: what[kind], ...details, at: this.clock.now(), ip: ctx.ip }, ctx);
    } catch {
      // Already audited as delivery.failed.
    }
  }
}
