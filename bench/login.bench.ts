// npm run bench:login [-- --concurrency 4 --logins 200]
// Complete sign-ins (authorize → password → SMS PIN → code → token) against a real server process on
// SQLite, next to the bare Argon2id hash rate on the same machine with the same parameters, and the
// server's CPU outside the hash next to the floor of this stack (floor-server.ts: a bare
// oidc-provider whose one form takes a username), driven by the same client and measured alike.
import { availableParallelism } from 'node:os';
import { pinFrom } from '../test/support/smtp-capture.js';
import { startBenchServer } from './support/bench-server.js';
import { startFloorServer } from './support/floor.js';
import { flag, fmt, hashOnlyAround, percentile, runConcurrent } from './support/measure.js';
import { cpuPer } from './support/process-cpu.js';
import { signIn } from './support/sign-in.js';
import { seedUsers } from './support/users.js';

const concurrency = flag('concurrency', 4);
const logins = flag('logins', 200);
const warmup = concurrency * 2;
const cores = availableParallelism();

const bench = await startBenchServer({ REQUIRE_SOFT_TOKEN: 'false', PIN_DELIVERY: 'sms' });
const floor = await startFloorServer();
try {
  const users = await bench.seed((s) => seedUsers(s, warmup + logins, 'pinuser'));
  const run = (offset: number, total: number) =>
    runConcurrent(total, concurrency, async (i) => {
      const user = users[offset + i]!;
      await signIn(bench.rp, user.login, user.password, async (agent, page) => {
        const pin = pinFrom((await bench.sms.next(user.mobile)).text);
        return agent.submit(page, '/step/pin', { action: 'verify', pin });
      });
    });
  let floorNext = 0;
  /** The floor server's CPU ms for `total` sign-ins (all threads, and the JavaScript thread). */
  const floorRun = async (total: number) => {
    const cpu0 = floor.threads();
    await runConcurrent(total, concurrency, async () => void (await floor.signIn(`flooruser${floorNext++}`)));
    return cpuPer(cpu0, floor.threads(), 1);
  };
  await run(0, warmup);
  await floorRun(warmup);
  // The floor too half before and half after the rest; CPU is read around the sign-ins only.
  const floorBefore = await floorRun(Math.ceil(logins / 2));
  const { hash, result } = await hashOnlyAround(bench.config.argon2, logins, concurrency, async () => {
    const cpu0 = { threads: bench.serverThreads(), bench: process.cpuUsage() };
    const flow = await run(warmup, logins);
    return { flow, cpu0, threads: bench.serverThreads(), bench: process.cpuUsage(cpu0.bench) };
  });
  const floorAfter = await floorRun(Math.floor(logins / 2));
  const { flow } = result;
  const server = cpuPer(result.cpu0.threads, result.threads, logins);
  const floorMs = { all: (floorBefore.all + floorAfter.all) / logins, main: (floorBefore.main + floorAfter.main) / logins };
  const clientMs = (result.bench.user + result.bench.system) / 1000 / logins;
  const ratio = flow.perSecond / hash.perSecond;
  const hashWallMs = (hash.seconds * 1000 * Math.min(concurrency, cores)) / hash.count;
  const outsideMs = server.all - hash.cpuMs;
  const a = bench.config.argon2;
  console.log(`bench:login — SQLite, ${concurrency} concurrent clients, Argon2id m=${a.memoryCost} KiB t=${a.timeCost} p=${a.parallelism}`);
  console.log(`sign-ins (password + SMS PIN + code + token): ${flow.count} in ${fmt(flow.seconds)} s = ${fmt(flow.perSecond)} logins/s, p50 ${fmt(percentile(flow.latencies, 50), 0)} ms, p99 ${fmt(percentile(flow.latencies, 99), 0)} ms`);
  console.log(`CPU per sign-in: server ${fmt(server.all)} ms (all threads), benchmark client and SMS gateway ${fmt(clientMs)} ms; one hash ${fmt(hash.cpuMs)} ms of CPU (${fmt(hashWallMs)} ms of a core's time)`);
  console.log(`server CPU by thread: JavaScript ${fmt(server.main)} ms, worker pool ${fmt(server.pool)} ms (the hash, SQLite), V8 helpers ${fmt(server.v8)} ms; the hash is ${fmt((hash.cpuMs / server.all) * 100, 0)}% of the server's CPU`);
  console.log(`outside the hash: ${fmt(outsideMs)} ms per sign-in (server CPU less one hash); the floor of this stack (bare oidc-provider, memory adapter, one username form, same client): ${fmt(floorMs.all)} ms — ${fmt(outsideMs / floorMs.all)}× the floor (goal ≤ 2×)`);
  console.log(`JavaScript thread alone: ${fmt(server.main)} ms against the floor's ${fmt(floorMs.main)} ms — ${fmt(server.main / floorMs.main)}×`);
  console.log(`password hash only: ${hash.count} in ${fmt(hash.seconds)} s = ${fmt(hash.perSecond)} hashes/s (half before, half after the sign-ins; same concurrency and parameters)`);
  console.log(`sign-ins reach ${fmt(ratio * 100, 0)}% of the hash-only rate (target ≥ 70%): ${ratio >= 0.7 ? 'met' : 'NOT met'}`);
} finally {
  await floor.stop();
  await bench.stop();
}
