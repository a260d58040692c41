// Fuzzing every surface with malformed requests (wrong types, bracketed and doubled fields, NUL
// bytes and control characters, long strings, 1 MB bodies, wrong content types, bad JSON and bad
// escapes, missing CSRF, unicode oddities), each a real endpoint with a live session behind it:
// the server answers every one below 500, and no row of the tables that hold accounts,
// authenticators, applications, groups and settings changes. FUZZ_SEED=<n> replays a run.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FuzzRequest, Rng } from '../support/fuzz-inputs.js';
import { type FuzzStand, startFuzzStand } from '../support/fuzz-stand.js';
import { fuzzRequest } from '../support/fuzz-targets.js';
import { diffSnapshots, snapshotTables } from '../support/table-snapshot.js';

const REQUESTS = 10_500;
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
}

/** Sends every request, `concurrency` at a time, over keep-alive connections. */
async function sendAll(base: string, requests: Array<{ surface: string; request: FuzzRequest }>, concurrency: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const { surface, request } = requests[i]!;
      try {
        const res = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
        const body = await res.text();
        outcomes[i] = { surface, request, status: res.status, body: res.status >= 500 ? body.slice(0, 300) : '' };
      } catch (err) {
        outcomes[i] = { surface, request, status: 0, error: String((err as { cause?: unknown }).cause ?? err), body: '' };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}

function describeRequest(o: Outcome): string {
  const { method, path, headers, body } = o.request;
  const shown = (s: string, n: number) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);
  const type = headers['content-type'] ?? '-';
  return `${o.status || o.error} ${method} ${shown(path, 160)} [${type}] ${body ? shown(body.toString('utf8'), 200) : ''}${o.body ? `\n    → ${shown(o.body, 200)}` : ''}`;
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
    expect(stand.interactions.map((i) => i.steps)).toEqual([['password', 'passkey'], ['pin'], ['totp'], ['enrol-passkey', 'enrol-token'], ['enrol-questions']]);
    const before = await snapshotTables(stand.server.app.ds, TABLES, COUNTERS);
    const rng = new Rng(SEED);
    const requests = Array.from({ length: REQUESTS }, () => fuzzRequest(rng, stand));
    const started = Date.now();
    const outcomes = await sendAll(stand.server.url, requests, CONCURRENCY);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const after = await snapshotTables(stand.server.app.ds, TABLES, COUNTERS);

    const offenders = outcomes.filter((o) => o.status >= 500 || o.status === 0);
    const changed = diffSnapshots(before, after);
    const report = [
      `seed ${SEED} (FUZZ_SEED=${SEED} replays it): ${outcomes.length} requests in ${seconds} s`,
      `by surface and status: ${JSON.stringify(tally(outcomes))}`,
      ...(offenders.length ? [`${offenders.length} answers ≥ 500 or no answer:`, ...offenders.map((o) => `  ${describeRequest(o)}`)] : []),
      ...(offenders.length && stand.errors.length ? ['server log (errors):', ...stand.errors.slice(0, 20).map((l) => `  ${l.slice(0, 1500)}`)] : []),
      ...(changed.length ? [`${changed.length} rows changed:`, ...changed.slice(0, 50).map((l) => `  ${l}`)] : []),
    ].join('\n');
    if (process.env.FUZZ_REPORT) console.log(report);
    // The whole report on failure: every offender and every changed row, with the seed.
    expect(offenders.length || changed.length ? report : 'no answer ≥ 500, no row changed').toBe('no answer ≥ 500, no row changed');
    await sessionsWork();
  }, 240_000);
});

