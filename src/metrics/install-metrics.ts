// Wires the metrics into a running app: audit events, oidc-provider's events, the database, and the
// request timer and /metrics route that app.ts mounts.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import { auditMetrics } from './audit-metrics.js';
import { registerDatabaseMetrics } from './database-metrics.js';
import { IdpMetrics } from './idp-metrics.js';
import { metricsRoutes } from './metrics.routes.js';
import { observeProvider } from './provider-metrics.js';
import { requestTimer } from './request-timer.js';

export interface InstalledMetrics {
  metrics: IdpMetrics;
  /** Mount first, so it times everything (the error boundary's answers included). */
  timer: Middleware;
  router: Router;
}

export function installMetrics(config: Config, provider: Provider, audit: AuditService, ds: DataSource): InstalledMetrics {
  const metrics = new IdpMetrics();
  audit.observe(auditMetrics(metrics));
  observeProvider(provider, metrics);
  registerDatabaseMetrics(metrics.registry, ds, config.database);
  return { metrics, timer: requestTimer(metrics), router: metricsRoutes(config, metrics) };
}
