// npm run bench:login [-- --concurrency 4 --logins 200]
// Complete sign-ins (authorize → password → SMS PIN → code → token) against a real server process on
// SQLite, next to the bare Argon2id hash rate on the same machine with the same parameters.
import { availableParallelism } from 'node:os';
import { pinFrom } from '../test/support/smtp-capture.js';
import { startBenchServer } from './support/bench-server.js';
import { flag, fmt, hashOnlyAround, percentile, runConcurrent } from './support/measure.js';
import { signIn } from './support/sign-in.js';
import { seedUsers } from './support/users.js';

const concurrency = flag('concurrency', 4);
const logins = flag('logins', 200);
const warmup = concurrency * 2;
const cores = availableParallelism();

const bench = await startBenchServer({ REQUIRE_SOFT_TOKEN: 'false', PIN_DELIVERY: 'sms' });
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
  await run(0, warmup);
  // CPU is read around the sign-ins only (not the hashing before and after them).
  const { hash, result } = await hashOnlyAround(bench.config.argon2, logins, concurrency, async () => {
    const cpu0 = { server: bench.serverCpu(), threads: bench.serverThreads(), bench: process.cpuUsage() };
    const flow = await run(warmup, logins);
    return { flow, cpu0, server: bench.serverCpu(), threads: bench.serverThreads(), bench: process.cpuUsage(cpu0.bench) };
  });
  const { flow, cpu0, threads } = result;
  const serverMs = ((result.server - cpu0.server) * 1000) / logins;
  const threadMs = (kind: keyof typeof threads) => ((threads[kind] - cpu0.threads[kind]) * 1000) / logins;
  const clientMs = (result.bench.user + result.bench.system) / 1000 / logins;
  const ratio = flow.perSecond / hash.perSecond;
  const hashMs = (hash.seconds * 1000 * Math.min(concurrency, cores)) / hash.count;
  const a = bench.config.argon2;
  console.log(`bench:login — SQLite, ${concurrency} concurrent clients, Argon2id m=${a.memoryCost} KiB t=${a.timeCost} p=${a.parallelism}`);
  console.log(`sign-ins (password + SMS PIN + code + token): ${flow.count} in ${fmt(flow.seconds)} s = ${fmt(flow.perSecond)} logins/s, p50 ${fmt(percentile(flow.latencies, 50), 0)} ms, p99 ${fmt(percentile(flow.latencies, 99), 0)} ms`);
  console.log(`CPU per sign-in: server ${fmt(serverMs)} ms (all threads), benchmark client and SMS gateway ${fmt(clientMs)} ms; one hash ≈ ${fmt(hashMs)} ms`);
  console.log(`server CPU by thread: JavaScript ${fmt(threadMs('main'))} ms, worker pool ${fmt(threadMs('pool'))} ms (the hash, SQLite), V8 helpers ${fmt(threadMs('v8'))} ms; the hash is ${fmt((hashMs / serverMs) * 100, 0)}% of the server's CPU`);
  console.log(`password hash only: ${hash.count} in ${fmt(hash.seconds)} s = ${fmt(hash.perSecond)} hashes/s (half before, half after the sign-ins; same concurrency and parameters)`);
  console.log(`sign-ins reach ${fmt(ratio * 100, 0)}% of the hash-only rate (target ≥ 70%): ${ratio >= 0.7 ? 'met' : 'NOT met'}`);
} finally {
  await bench.stop();
}
