// npm run bench:2fa [-- --concurrency 4 --logins 200 --sequential 200]
// Complete sign-ins with password + soft token code (many users, codes computed from their secrets)
// against a real server process on SQLite; the hash-only rate in the same run; TOTP verifications per
// second; and the soft token step's share of a sign-in's server CPU, measured one sign-in at a time.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { SecretBox } from '../src/security/secret-box.js';
import { fromBase32, totpCode, verifyTotp } from '../src/tokens/totp.js';
import { totpParams } from '../test/support/enrolled-user.js';
import { startBenchServer } from './support/bench-server.js';
import { flag, fmt, hashOnlyAround, percentile, runConcurrent } from './support/measure.js';
import { signIn } from './support/sign-in.js';
import { seedUsers } from './support/users.js';

const concurrency = flag('concurrency', 4);
const logins = flag('logins', 200);
const sequential = flag('sequential', 200);
const warmup = concurrency * 2;
const cores = availableParallelism();

const bench = await startBenchServer({ REQUIRE_SOFT_TOKEN: 'true', TOTP_DIGITS: '6' });
try {
  const total = warmup + logins + sequential;
  // Each user signs in once: a code is accepted once per token and time step.
  const users = await bench.seed(async (s) => {
    const seeded = await seedUsers(s, total, 'totpuser');
    const enrolled: Array<(typeof seeded)[number] & { secret: Uint8Array }> = [];
    await runConcurrent(seeded.length, 4, async (i) => {
      const u = seeded[i]!;
      const user = (await s.users.findById(u.id))!;
      const { token, key } = await s.tokens.createForApp(user);
      const secret = fromBase32(key);
      // Activated with the previous step's code, so the sign-in's current code is not a replay; not
      // in a step's last second, so the code is still in the accepted window when it is checked.
      const intoStep = Date.now() % (totpParams.period * 1000);
      if (intoStep > (totpParams.period - 1) * 1000) await new Promise((r) => setTimeout(r, totpParams.period * 1000 - intoStep + 10));
      await s.tokens.completeWithCode(u.id, token.id, totpCode(secret, totpParams, Date.now() - 30_000));
      await s.questions.set(u.id, [
        { question: 'What was the name of your first pet?', answer: 'rex' },
        { question: 'In what city were you born?', answer: 'paris' },
        { question: 'What was the make of your first car?', answer: 'volvo' },
      ]);
      enrolled[i] = { ...u, secret };
    });
    return enrolled;
  });
  const answer = (secret: Uint8Array) => async (agent: Parameters<Parameters<typeof signIn>[3]>[0], page: Parameters<Parameters<typeof signIn>[3]>[1]) => {
    if (!page.html.includes('/step/totp')) throw new Error(`expected the soft token page:\n${page.html.slice(0, 800)}`);
    return agent.submit(page, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, Date.now()) });
  };
  const run = (offset: number, count: number, workers: number) =>
    runConcurrent(count, workers, async (i) => {
      const u = users[offset + i]!;
      await signIn(bench.rp, u.login, u.password, answer(u.secret));
    });

  await run(0, warmup, concurrency);
  const { hash, result: flow } = await hashOnlyAround(bench.config.argon2, logins, concurrency, async () => {
    const cpu0 = bench.serverCpu();
    const result = await run(warmup, logins, concurrency);
    return { ...result, serverMs: ((bench.serverCpu() - cpu0) * 1000) / logins };
  });
  const serverMs = flow.serverMs;

  // One at a time: server CPU of the whole sign-in, and of the request that submits the code.
  let stepCpu = 0;
  let mark = 0;
  const seqStart = bench.serverCpu();
  await runConcurrent(sequential, 1, async (i) => {
    const u = users[warmup + logins + i]!;
    await signIn(bench.rp, u.login, u.password, answer(u.secret), {
      before: () => (mark = bench.serverCpu()),
      after: () => (stepCpu += bench.serverCpu() - mark),
    });
  });
  const seqMs = ((bench.serverCpu() - seqStart) * 1000) / sequential;
  const stepMs = (stepCpu * 1000) / sequential;

  const verifyRate = totpVerificationsPerSecond();
  const a = bench.config.argon2;
  const share = stepMs / seqMs;
  console.log(`bench:2fa — SQLite, ${concurrency} concurrent clients, ${users.length} users with an authenticator-app token, Argon2id m=${a.memoryCost} KiB t=${a.timeCost} p=${a.parallelism}`);
  console.log(`sign-ins (password + soft token code + code + token): ${flow.count} in ${fmt(flow.seconds)} s = ${fmt(flow.perSecond)} logins/s, p50 ${fmt(percentile(flow.latencies, 50), 0)} ms, p99 ${fmt(percentile(flow.latencies, 99), 0)} ms; server CPU ${fmt(serverMs)} ms per sign-in`);
  console.log(`password hash only: ${hash.count} in ${fmt(hash.seconds)} s = ${fmt(hash.perSecond)} hashes/s (half before, half after the sign-ins; same concurrency and parameters; ${fmt((hash.seconds * 1000 * Math.min(concurrency, cores)) / hash.count)} ms CPU each); sign-ins reach ${fmt((flow.perSecond / hash.perSecond) * 100, 0)}% of it`);
  console.log(`TOTP verifications (decrypt the secret, check ±${bench.config.tokens.window} steps): ${fmt(verifyRate, 0)} per second on one core`);
  console.log(`soft token step, one sign-in at a time (${sequential}): ${fmt(stepMs)} ms of ${fmt(seqMs)} ms server CPU per sign-in = ${fmt(share * 100)}% (target < 10%): ${share < 0.1 ? 'met' : 'NOT met'}`);
} finally {
  await bench.stop();
}

/** The verification itself, as the server does it: open the sealed secret, then RFC 6238 with the window. */
function totpVerificationsPerSecond(): number {
  const box = new SecretBox(randomBytes(32));
  const secret = randomBytes(20);
  const sealed = box.seal(secret, 'token-id');
  const window = bench.config.tokens.window;
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < 1000) {
    for (let i = 0; i < 100; i++) {
      const now = Date.now();
      const code = totpCode(secret, totpParams, now);
      if (!verifyTotp(box.open(sealed, 'token-id'), code, totpParams, now, window)) throw new Error('verification failed');
      count++;
    }
  }
  return count / ((performance.now() - started) / 1000);
}
