// npm run bench:tokens [-- --concurrency 8 --requests 2000 --rounds 4]   (SQLITE_SYNCHRONOUS=normal to measure that setting)
// The token endpoint: client-credentials grants against the project's server (JWT access tokens,
// then opaque ones) and against bare oidc-provider in memory with the same client, keys and
// concurrency, in alternating rounds so that the machine's drift weighs on both; then rotating
// refresh-token grants (new refresh token, access token and ID token each time) per second.
import { readFileSync } from 'node:fs';
import { flag, fmt, percentile, type RunResult, runConcurrent } from './support/measure.js';
import { JWT_API, OPAQUE_API, startTokenStand, tokenRequest } from './support/token-stand.js';

const concurrency = flag('concurrency', 8);
const requests = flag('requests', 2000);
const rounds = flag('rounds', 4);

/** CPU seconds process `pid` has used (user + system). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Series {
  runs: RunResult[];
  cpu: number;
}

const series = (): Series => ({ runs: [], cpu: 0 });
const total = (s: Series) => {
  const count = s.runs.reduce((n, r) => n + r.count, 0);
  const seconds = s.runs.reduce((n, r) => n + r.seconds, 0);
  const latencies = s.runs.flatMap((r) => r.latencies);
  return { count, perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMs: (s.cpu * 1000) / count };
};

const stand = await startTokenStand(concurrency);
try {
  const cc = (base: string, resource: string) => async () => {
    await tokenRequest(base, stand.machineBasic, { grant_type: 'client_credentials', resource, scope: 'bench:read' });
  };
  const refreshTokens = [...stand.refreshTokens];
  const refresh = async (i: number) => {
    const worker = i % concurrency;
    const body = await tokenRequest(stand.project.url, stand.webBasic, { grant_type: 'refresh_token', refresh_token: refreshTokens[worker]! });
    refreshTokens[worker] = String(body.refresh_token);
  };
  // Each worker keeps to its own refresh token chain (a rotated token is single use).
  const runRefresh = async () => {
    let next = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = next++; i < requests; i = next++) {
          const t0 = performance.now();
          await refresh(worker);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { count: requests, seconds, perSecond: requests / seconds, latencies };
  };

  const measure = async (s: Series, pid: number, run: () => Promise<RunResult>) => {
    const cpu0 = cpuSeconds(pid);
    s.runs.push(await run());
    s.cpu += cpuSeconds(pid) - cpu0;
  };
  const jwt = { project: series(), bare: series() };
  const opaque = { project: series(), bare: series() };
  const rotating = series();
  const p = stand.project.pid;
  const b = stand.bare.pid;

  // Warm-up (JIT, connections, caches), not counted.
  for (const task of [cc(stand.project.url, JWT_API), cc(stand.bare.url, JWT_API), cc(stand.project.url, OPAQUE_API), cc(stand.bare.url, OPAQUE_API)]) {
    await runConcurrent(Math.min(requests, 300), concurrency, task);
  }
  await runRefresh();

  for (let round = 0; round < rounds; round++) {
    const steps = [
      () => measure(jwt.project, p, () => runConcurrent(requests, concurrency, cc(stand.project.url, JWT_API))),
      () => measure(jwt.bare, b, () => runConcurrent(requests, concurrency, cc(stand.bare.url, JWT_API))),
      () => measure(opaque.project, p, () => runConcurrent(requests, concurrency, cc(stand.project.url, OPAQUE_API))),
      () => measure(opaque.bare, b, () => runConcurrent(requests, concurrency, cc(stand.bare.url, OPAQUE_API))),
      () => measure(rotating, p, runRefresh),
    ];
    // Every other round in reverse order: neither side always runs first.
    for (const step of round % 2 ? steps.reverse() : steps) await step();
  }

  const line = (name: string, s: ReturnType<typeof total>, unit = 'req/s') =>
    `${name}: ${s.count} in ${fmt(s.count / s.perSecond)} s = ${fmt(s.perSecond, 0)} ${unit}, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms, server CPU ${fmt(s.cpuMs, 2)} ms/request`;
  const verdict = (ratio: number, target: number) => `${fmt(ratio * 100, 0)}% of bare (target ≥ ${target * 100}%): ${ratio >= target ? 'met' : 'NOT met'}`;
  const [jp, jb, op, ob, rt] = [total(jwt.project), total(jwt.bare), total(opaque.project), total(opaque.bare), total(rotating)];
  console.log(`bench:tokens — project on SQLite (built server, SQLITE_SYNCHRONOUS=${process.env.SQLITE_SYNCHRONOUS ?? 'full'}) vs bare oidc-provider in memory; ${concurrency} concurrent clients, ${rounds} alternating rounds of ${requests} requests each`);
  console.log(line('client credentials, JWT access token, project', jp));
  console.log(line('client credentials, JWT access token, bare   ', jb));
  console.log(`  JWT access tokens: project at ${verdict(jp.perSecond / jb.perSecond, 0.8)}`);
  console.log(line('client credentials, opaque access token, project', op));
  console.log(line('client credentials, opaque access token, bare   ', ob));
  console.log(`  opaque access tokens: project at ${verdict(op.perSecond / ob.perSecond, 0.5)}`);
  console.log(line('refresh token rotation (new refresh, access and ID token), project', rt, 'grants/s'));
  console.log(`  refresh: ${fmt(rt.perSecond, 0)} grants/s (target ≥ 500/s): ${rt.perSecond >= 500 ? 'met' : 'NOT met'}`);
} finally {
  await stand.stop();
}
