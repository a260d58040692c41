// Fuzzing every surface with malformed requests (wrong types, bracketed and doubled fields, NUL
// bytes and control characters, long strings, 1 MB bodies, wrong content types, bad JSON and bad
// escapes, missing CSRF, unicode oddities), each a real endpoint with a live session behind it:
// the server answers every one below 500, and no row of the tables that hold accounts,
// authenticators, applications, groups and settings changes. FUZZ_SEED=<n> replays a run;
// FUZZ_REPORT=1 prints the report (statuses by surface, slowest requests) even when it passes.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FuzzRequest, Rng } from '../support/fuzz-inputs.js';
import { type FuzzStand, startFuzzStand } from '../support/fuzz-stand.js';
import { fuzzRequest } from '../support/fuzz-targets.js';
import { diffSnapshots, snapshotTables } from '../support/table-snapshot.js';

const REQUESTS = 10_000;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);

// Not audit_events, rate_limits, one_time_pins, oidc_payloads or password_resets: they move by design.
const TABLES = ['users', 'credentials', 'soft_tokens', 'token_activations', 'security_answers', 'client_rules', 'oidc_clients', 'settings', 'access_groups', 'user_groups', 'passkeys', 'signing_keys', 'secrets'];
// Wrong factors are counted (a lock would show: locked_at and locked_until are compared).
const COUNTERS = { users: ['failed_logins'], soft_tokens: ['failed_attempts'] };

interface Outcome {
  surface: string;
  request: FuzzRequest;
  status: number;
  error?: string;
  body: string;
  ms: number;
}

/** One exchange over `agent`'s keep-alive connections; the path is sent exactly as generated. */
function send(base: URL, agent: Agent, r: FuzzRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) };
    const req = request({ host: base.hostname, port: base.port, method: r.method, path: r.path, headers, agent, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // An answer before the whole body was read (413, say) is an answer: a failed write after it is not.
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.end(r.body);
  });
}

/** Sends every request, `concurrency` at a time, over keep-alive connections. */
async function sendAll(base: string, requests: Array<{ surface: string; request: FuzzRequest }>, concurrency: number): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const { surface, request } = requests[i]!;
      const began = performance.now();
      const ms = () => Math.round(performance.now() - began);
      try {
        const res = await send(new URL(base), agent, request);
        outcomes[i] = { surface, request, status: res.status, body: res.status >= 500 ? res.body.slice(0, 300) : '', ms: ms() };
      } catch (err) {
        outcomes[i] = { surface, request, status: 0, error: String(err), body: '', ms: ms() };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return outcomes;
}

function describeRequest(o: Outcome): string {
  const { method, path, headers, body } = o.request;
  const shown = (s: string, n: number) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);
  const type = [headers['content-type'] ?? '-', headers['content-encoding'] && `content-encoding: ${headers['content-encoding']}`].filter(Boolean).join('; ');
  return `${o.status || o.error} ${method} ${shown(path, 160)} [${type}] ${body ? shown(body.toString('utf8'), 200) : ''}${o.body ? `\n    → ${shown(o.body, 200)}` : ''}`;
}

/** The server's error log, one line per distinct error with how often it came and a stack. */
function errorsLogged(lines: string[]): string[] {
  const seen = new Map<string, { count: number; paths: Set<string>; stack: string }>();
  for (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; path?: string; err?: { message?: string; code?: string; stack?: string } };
    const key = `${entry.msg}: ${entry.err?.code ?? ''} ${entry.err?.message ?? ''}`;
    const known = seen.get(key) ?? { count: 0, paths: new Set<string>(), stack: entry.err?.stack ?? '' };
    known.count++;
    if (entry.path) known.paths.add(entry.path.slice(0, 80));
    seen.set(key, known);
  }
  return [...seen].map(([key, { count, paths, stack }]) => `  ${count}× ${key} on ${[...paths].slice(0, 5).join(', ')}
    ${stack.split('\n').slice(0, 6).join('\n    ')}`);
}

/** What each surface answered, by status: evidence that the requests got past the sessions. */
function tally(outcomes: Outcome[]): Record<string, Record<string, number>> {
  const by: Record<string, Record<string, number>> = {};
  for (const o of outcomes) {
    const row = (by[o.surface] ??= {});
    row[o.status] = (row[o.status] ?? 0) + 1;
  }
  return by;
}

describe('malformed requests on every surface', () => {
  let stand: FuzzStand;

  beforeAll(async () => {
    stand = await startFuzzStand();
  }, 120_000);
  afterAll(async () => {
    await stand?.close();
  });

  /** The sessions the fuzzer uses still work: its requests were not all turned away at the door. */
  async function sessionsWork(): Promise<void> {
    const page = async (path: string, cookie: string) => (await fetch(`${stand.server.url}${path}`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' })).status;
    expect({
      portal: await page('/account', stand.portal.cookie),
      console: await page('/admin/users', stand.admin.cookie),
      api: (await fetch(`${stand.server.url}/admin/api/users`, { headers: { authorization: `Bearer ${stand.bearer}` } })).status,
      signIn: await page(`/interaction/${stand.interactions[0]!.uid}`, stand.interactions[0]!.cookie),
    }).toEqual({ portal: 200, console: 200, api: 200, signIn: 200 });
  }

  it(`answers ${REQUESTS} of them below 500 and changes no row (seed ${SEED})`, async () => {
    await sessionsWork();
    // Before the password; then at the PIN, the soft token, enrolment and the security questions.
    const at = ['password', 'pin', 'totp', 'enrol-token', 'enrol-questions'].map((step) => expect.arrayContaining([step]));
    expect(stand.interactions.map((i) => i.steps)).toEqual(at);
    const before = await snapshotTables(stand.server.app.ds, TABLES, COUNTERS);
    const rng = new Rng(SEED);
    const generating = Date.now();
    const requests = Array.from({ length: REQUESTS }, () => fuzzRequest(rng, stand));
    const generated = ((Date.now() - generating) / 1000).toFixed(1);
    const started = Date.now();
    const cpu = process.cpuUsage();
    const outcomes = await sendAll(stand.server.url, requests, CONCURRENCY);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const { user, system } = process.cpuUsage(cpu);
    const after = await snapshotTables(stand.server.app.ds, TABLES, COUNTERS);

    const offenders = outcomes.filter((o) => o.status >= 500 || o.status === 0);
    const changed = diffSnapshots(before, after);
    const report = [
      `seed ${SEED} (FUZZ_SEED=${SEED} replays it): ${outcomes.length} requests made in ${generated} s, sent in ${seconds} s (${((user + system) / 1e6).toFixed(1)} s of this process's CPU, server included)`,
      `by surface and status: ${JSON.stringify(tally(outcomes))}`,
      `slowest: ${[...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 5).map((o) => `${o.ms} ms ${o.request.method} ${o.request.path.slice(0, 80)}`).join(' | ')}`,
      ...(offenders.length ? [`${offenders.length} answers ≥ 500 or no answer:`, ...offenders.map((o) => `  ${describeRequest(o)}`)] : []),
      ...(stand.errors.length ? ['server log (errors):', ...errorsLogged(stand.errors)] : []),
      ...(changed.length ? [`${changed.length} rows changed:`, ...changed.slice(0, 50).map((l) => `  ${l}`)] : []),
    ].join('\n');
    if (process.env.FUZZ_REPORT) console.log(report);
    // The whole report on failure: every offender and every changed row, with the seed.
    expect(offenders.length || changed.length ? report : 'no answer ≥ 500, no row changed').toBe('no answer ≥ 500, no row changed');
    await sessionsWork();
  }, 240_000);
});

