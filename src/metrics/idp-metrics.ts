// The provider's Prometheus metrics: one registry per app (tests run several apps in one process),
// plus the process's own metrics (CPU, memory, event loop), collected once per process.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class IdpMetrics {
  readonly registry = new Registry();

  /** Completed sign-ins and the ways they did not complete (one count per failed attempt). */
  readonly signIns = new Counter({
    name: 'idp_sign_ins_total',
    help: 'Sign-ins by outcome: success (completed), failure (a factor failed), denied (application rule), unmet (level not reachable), aborted',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly signInMethods = new Counter({
    name: 'idp_sign_in_methods_total',
    help: 'Methods (RFC 8176 amr values) used by completed sign-ins',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });

  readonly signInLevels = new Counter({
    name: 'idp_sign_in_levels_total',
    help: 'Assurance level (acr) reached by completed sign-ins',
    labelNames: ['acr'] as const,
    registers: [this.registry],
  });

  readonly signInFailures = new Counter({
    name: 'idp_sign_in_failures_total',
    help: 'Failed sign-in attempts by step (password, totp, pin, passkey, recover…) and reason',
    labelNames: ['step', 'reason'] as const,
    registers: [this.registry],
  });

  readonly lockouts = new Counter({
    name: 'idp_lockouts_total',
    help: 'Accounts locked, by failed attempts or by an administrator',
    labelNames: ['by'] as const,
    registers: [this.registry],
  });

  readonly pinsSent = new Counter({
    name: 'idp_pins_sent_total',
    help: 'One-time PINs sent, by channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly deliveryFailures = new Counter({
    name: 'idp_delivery_failures_total',
    help: 'E-mails and SMS that could not be handed to the SMTP server or SMS gateway, by channel and message',
    labelNames: ['channel', 'template'] as const,
    registers: [this.registry],
  });

  readonly grants = new Counter({
    name: 'idp_oidc_grants_total',
    help: 'Token endpoint grants, by grant type and outcome (success or the OAuth error code)',
    labelNames: ['grant_type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly authorizations = new Counter({
    name: 'idp_oidc_authorizations_total',
    help: 'Authorization endpoint requests answered, by outcome (success or the OAuth error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly tokensIssued = new Counter({
    name: 'idp_oidc_tokens_issued_total',
    help: 'Tokens and codes issued, by kind (access_token, client_credentials, refresh_token, authorization_code)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'idp_http_request_duration_seconds',
    help: 'HTTP request durations by route pattern (never the raw path), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this app's metrics, then the process's. */
  async text(): Promise<string> {
    return Registry.merge([this.registry, processMetrics()]).metrics();
  }
}
