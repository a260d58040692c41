// /metrics: counters that move with real sign-ins (success, wrong password, lockout, PINs, a failed
// SMS delivery, token grants), request durations labelled by route pattern, the database pool, the
// process; and who may read it (token, allowlist, both, loopback in development, nobody in production).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Koa from 'koa';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config/config.js';
import { errorHandler } from '../../src/http/error-handler.js';
import { createViews } from '../../src/http/views.js';
import { IdpMetrics } from '../../src/metrics/idp-metrics.js';
import { metricsRoutes } from '../../src/metrics/metrics.routes.js';
import { signInByEmailPin } from '../support/pin-sign-in.js';
import { exchange, isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { SmsCapture } from '../support/sms-capture.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

/** The value of one sample in exposition text, 0 when absent (a counter not yet incremented). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(/,(?=[a-z_]+=")/);
    if (wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return 0;
}

describe('/metrics on a running provider', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let sms: SmsCapture;
  let rp: RelyingParty;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    sms = new SmsCapture();
    server = await startTestServer({
      env: { SMTP_URL: await smtp.start(), SMS_WEBHOOK_URL: await sms.start(), LOCKOUT_THRESHOLD: '2', PIN_RESEND_COOLDOWN: '0', IP_FAILURE_LIMIT: '1000' },
    });
    rp = await registerRelyingParty(server);
    await server.app.services.users.create({ username: 'mia', email: 'mia@example.com', password: 'mia password 1' });
    await server.app.services.users.create({ username: 'lou', email: 'lou@example.com', password: 'lou password 1' });
    await server.app.services.users.create({ username: 'sam', email: 'sam@example.com', mobile: '+15557770001', password: 'sam password 1' });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await sms?.stop();
  });

  async function scrape(): Promise<string> {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  }

  it('counts a completed sign-in with its methods and level, the PIN sent, and the code grant', async () => {
    const before = await scrape();
    const auth = await startAuthorization(rp);
    const { afterPin } = await signInByEmailPin(new UserAgent(), auth, 'mia', 'mia password 1', 'mia@example.com', smtp);
    expect(isCallback(afterPin!.url)).toBe(true);
    await exchange(rp, auth, afterPin!.url);
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('idp_sign_ins_total', { outcome: 'success' })).toBe(1);
    expect(moved('idp_sign_ins_total', { outcome: 'failure' })).toBe(0);
    expect(moved('idp_sign_in_methods_total', { method: 'pwd' })).toBe(1);
    expect(moved('idp_sign_in_methods_total', { method: 'mail' })).toBe(1);
    expect(moved('idp_sign_in_levels_total', { acr: 'urn:idp:acr:mfa' })).toBe(1);
    expect(moved('idp_pins_sent_total', { channel: 'email' })).toBe(1);
    expect(moved('idp_oidc_grants_total', { grant_type: 'authorization_code', outcome: 'success' })).toBe(1);
    expect(moved('idp_oidc_tokens_issued_total', { kind: 'authorization_code' })).toBe(1);
    expect(moved('idp_oidc_tokens_issued_total', { kind: 'access_token' })).toBe(1);
    expect(moved('idp_oidc_authorizations_total', { outcome: 'success' })).toBe(1);
  });

  it('counts a wrong password by step and reason, and the lockout it leads to', async () => {
    const before = await scrape();
    for (let i = 0; i < 2; i++) {
      const agent = new UserAgent();
      const login = await openLogin(agent, await startAuthorization(rp));
      const page = await agent.submit(login, '/step/password', { login: 'lou', password: 'not the password' });
      expect(page.status).toBe(400);
    }
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('idp_sign_ins_total', { outcome: 'failure' })).toBe(2);
    expect(moved('idp_sign_ins_total', { outcome: 'success' })).toBe(0);
    expect(moved('idp_sign_in_failures_total', { step: 'password', reason: 'wrong_password' })).toBe(2);
    expect(moved('idp_lockouts_total', { by: 'failures' })).toBe(1);
  });

  it('counts a failed SMS delivery by channel and message', async () => {
    const before = await scrape();
    sms.status = 500;
    try {
      const agent = new UserAgent();
      const login = await openLogin(agent, await startAuthorization(rp));
      const page = await agent.follow(await agent.submit(login, '/step/password', { login: 'sam', password: 'sam password 1' }));
      expect(page.html).toContain('We could not send your PIN.');
    } finally {
      sms.status = 200;
    }
    const after = await scrape();
    expect(sample(after, 'idp_delivery_failures_total', { channel: 'sms', template: 'pin' }) - sample(before, 'idp_delivery_failures_total', { channel: 'sms', template: 'pin' })).toBe(1);
    expect(sample(after, 'idp_pins_sent_total', { channel: 'sms' })).toBe(sample(before, 'idp_pins_sent_total', { channel: 'sms' }));
  });

  it('counts a refused grant by its OAuth error', async () => {
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'no-such-code', redirect_uri: 'http://127.0.0.1:1/cb', code_verifier: 'x'.repeat(43) }),
    });
    expect(res.status).toBe(400);
    expect(sample(await scrape(), 'idp_oidc_grants_total', { grant_type: 'authorization_code', outcome: 'invalid_grant' })).toBeGreaterThanOrEqual(1);
  });

  it('labels request durations with route patterns, never raw paths', async () => {
    await fetch(`${server.url}/no/such/page/12345`);
    const text = await scrape();
    const routes = new Set([...text.matchAll(/^idp_http_request_duration_seconds_count\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]));
    expect(routes).toContain('/interaction/:uid/step/:step');
    expect(routes).toContain('/token');
    expect(routes).toContain('/metrics');
    expect(routes).toContain('unmatched');
    // No interaction id, user id or made-up path segment ever becomes a label.
    for (const route of routes) expect(route).toMatch(/^(unmatched|\/[\w/:.{}*?-]*)$/);
    expect([...routes].some((r) => r!.includes('12345'))).toBe(false);
    expect(sample(text, 'idp_http_request_duration_seconds_count', { method: 'POST', route: '/interaction/:uid/step/:step', status: '400' })).toBeGreaterThanOrEqual(2);
  });

  it('reports the database connection and the process', async () => {
    const text = await scrape();
    const driver = server.config.database.type;
    expect(text).toMatch(new RegExp(`^idp_db_pool_connections\\{driver="${driver}",state="idle"\\} \\d+$`, 'm'));
    expect(text).toMatch(new RegExp(`^idp_db_pool_max_connections\\{driver="${driver}"\\} [1-9]\\d*$`, 'm'));
    if (driver === 'sqlite') expect(sample(text, 'idp_db_size_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });
});

describe('who may read /metrics', () => {
  const TOKEN = 'metrics-token-0123456789';
  const production = { NODE_ENV: 'production', SECRET_KEY: 'k'.repeat(43), SMTP_URL: 'smtp://127.0.0.1:1' };

  function stand(env: Record<string, string>): Koa {
    const app = new Koa();
    app.proxy = true; // as with TRUST_PROXY: the test names the caller's address in X-Forwarded-For
    app.use(errorHandler(createViews(), pino({ level: 'silent' })));
    app.use(metricsRoutes(loadConfig(env), new IdpMetrics()).routes());
    return app;
  }

  it.each([
    ['token: none sent', 401, { METRICS_TOKEN: TOKEN }, '203.0.113.9', undefined],
    ['token: wrong', 401, { METRICS_TOKEN: TOKEN }, '203.0.113.9', 'wrong-token-0123456789'],
    ['token: right, from anywhere', 200, { METRICS_TOKEN: TOKEN }, '203.0.113.9', TOKEN],
    ['allowlist: address listed', 200, { METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7' }, '10.1.2.3', undefined],
    ['allowlist: single address listed', 200, { METRICS_ALLOW: '10.0.0.0/8, 192.0.2.7' }, '192.0.2.7', undefined],
    ['allowlist: IPv6 network', 200, { METRICS_ALLOW: 'fd00::/8' }, 'fd12::1', undefined],
    ['allowlist: address not listed', 403, { METRICS_ALLOW: '10.0.0.0/8' }, '192.168.1.1', undefined],
    ['allowlist: loopback not listed', 403, { METRICS_ALLOW: '10.0.0.0/8' }, '127.0.0.1', undefined],
    ['both: listed address without the token', 401, { METRICS_ALLOW: '10.0.0.0/8', METRICS_TOKEN: TOKEN }, '10.1.2.3', undefined],
    ['both: the token from an unlisted address', 403, { METRICS_ALLOW: '10.0.0.0/8', METRICS_TOKEN: TOKEN }, '203.0.113.9', TOKEN],
    ['both: the token from a listed address', 200, { METRICS_ALLOW: '10.0.0.0/8', METRICS_TOKEN: TOKEN }, '10.1.2.3', TOKEN],
    ['neither, development: loopback', 200, { NODE_ENV: 'development' }, '127.0.0.1', undefined],
    ['neither, development: IPv6 loopback', 200, { NODE_ENV: 'development' }, '::1', undefined],
    ['neither, development: another address', 403, { NODE_ENV: 'development' }, '10.1.2.3', undefined],
    ['neither, production: even loopback', 404, production, '127.0.0.1', undefined],
    ['production with a token', 200, { ...production, METRICS_TOKEN: TOKEN }, '203.0.113.9', TOKEN],
  ] as const)('%s → %i', async (_, status, env, from, token) => {
    const req = request(stand({ ...env }).callback()).get('/metrics').set('X-Forwarded-For', from).set('Accept', 'application/json');
    const res = await (token ? req.set('Authorization', `Bearer ${token}`) : req);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.text).toContain('# TYPE idp_sign_ins_total counter');
    else expect(res.text).not.toContain('idp_');
    if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
  });

  it.each(['10.0.0.0/33', 'example.com', '10.0.0.1/8/1', '::1/129'])('refuses METRICS_ALLOW=%s at start', (value) => {
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_ALLOW: value })).toThrow(/METRICS_ALLOW/);
  });

  it('refuses a short METRICS_TOKEN at start', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });
});
