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

  #counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** Completed sign-ins and the ways they did not complete (one count per failed attempt). */
  readonly signIns = this.#counter('idp_sign_ins_total', 'Sign-ins by outcome: success (completed), failure (a factor failed), denied (application rule), unmet (level not reachable), aborted', ['outcome']);

  readonly signInMethods = this.#counter('idp_sign_in_methods_total', 'Methods (RFC 8176 amr values) used by completed sign-ins', ['method']);

  readonly signInLevels = this.#counter('idp_sign_in_levels_total', 'Assurance level (acr) reached by completed sign-ins', ['acr']);

  readonly signInFailures = this.#counter('idp_sign_in_failures_total', 'Failed sign-in attempts by step (password, totp, pin, passkey, recover…) and reason', ['step', 'reason']);

  readonly lockouts = this.#counter('idp_lockouts_total', 'Accounts locked, by failed attempts or by an administrator', ['by']);

  readonly pinsSent = this.#counter('idp_pins_sent_total', 'One-time PINs sent, by channel', ['channel']);

  readonly deliveryFailures = this.#counter('idp_delivery_failures_total', 'E-mails and SMS that could not be handed to the SMTP server or SMS gateway, by channel and message', ['channel', 'template']);

  readonly grants = this.#counter('idp_oidc_grants_total', 'Token endpoint grants, by grant type and outcome (success or the OAuth error code)', ['grant_type', 'outcome']);

  readonly authorizations = this.#counter('idp_oidc_authorizations_total', 'Authorization endpoint requests answered, by outcome (success or the OAuth error code)', ['outcome']);

  readonly tokensIssued = this.#counter('idp_oidc_tokens_issued_total', 'Tokens and codes issued, by kind (access_token, client_credentials, refresh_token, authorization_code)', ['kind']);

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
