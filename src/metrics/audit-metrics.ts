// Counts sign-ins, lockouts, PINs and failed deliveries from the audit trail: every such event is
// recorded there once, by the service that owns it, so nothing else needs a counter.
import type { AuditObserver, AuditRecord } from '../audit/audit.service.js';
import type { IdpMetrics } from './idp-metrics.js';

/** Sign-in events that end an attempt without a failed factor. */
const ENDINGS: Record<string, string> = { 'login.denied': 'denied', 'login.unmet': 'unmet', 'login.aborted': 'aborted' };

/** Label values come from our own code, but a detail is data: keep only short identifiers. */
function label(value: unknown, fallback = 'other'): string {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : fallback;
}

export function auditMetrics(m: IdpMetrics): AuditObserver {
  const count = (event: AuditRecord): void => {
    const { type, outcome } = event;
    const details = event.details ?? {};
    if (type === 'login.success') {
      m.signIns.inc({ outcome: 'success' });
      for (const method of Array.isArray(details.amr) ? details.amr : []) m.signInMethods.inc({ method: label(method) });
      m.signInLevels.inc({ acr: label(details.acr, 'none') });
    } else if (ENDINGS[type]) {
      m.signIns.inc({ outcome: ENDINGS[type] });
    } else if (type.startsWith('login.') && outcome === 'failure') {
      m.signIns.inc({ outcome: 'failure' });
      m.signInFailures.inc({ step: label(type.slice('login.'.length)), reason: label(details.reason) });
    } else if (type === 'account.locked') {
      m.lockouts.inc({ by: details.by === 'administrator' ? 'administrator' : 'failures' });
    } else if (type === 'pin.sent') {
      m.pinsSent.inc({ channel: label(details.channel) });
    } else if (type === 'delivery.failed') {
      m.deliveryFailures.inc({ channel: label(details.channel), template: label(details.template) });
    }
  };
  return (event) => {
    try {
      count(event);
    } catch {
      // A metric is never worth failing the action that was audited.
    }
  };
}
