// npm run bench:passkey [-- --concurrency 4 --logins 200]
// Passwordless passkey sign-ins next to password + soft token sign-ins, against the same real server
// process on SQLite, at the same concurrency, measured in alternating halves so that a machine whose
// speed drifts weighs on both alike; then WebAuthn assertion verifications per second on one core.
import { randomBytes } from 'node:crypto';
import { generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { totpCode } from '../src/tokens/totp.js';
import { totpParams } from '../test/support/enrolled-user.js';
import { SoftAuthenticator } from '../test/support/soft-authenticator.js';
import type { Page, UserAgent } from '../test/support/user-agent.js';
import { startBenchServer } from './support/bench-server.js';
import { flag, fmt, percentile, type RunResult, runConcurrent } from './support/measure.js';
import { passkeySignIn } from './support/passkey-sign-in.js';
import { seedPasskeyUsers, seedTotpUsers } from './support/passkey-users.js';
import { signIn } from './support/sign-in.js';

const concurrency = flag('concurrency', 4);
const logins = flag('logins', 200);
const warmup = concurrency * 2;
const TARGET = 3;

interface Measured extends RunResult {
  /** Server CPU seconds (all threads) while it ran. */
  cpu: number;
}

const bench = await startBenchServer({ REQUIRE_SOFT_TOKEN: 'true', TOTP_DIGITS: '6' });
try {
  // Each user signs in once: a code is accepted once per token and time step.
  const totpUsers = await bench.seed((s) => seedTotpUsers(s, warmup + logins, 'totpuser'));
  const passkeyUsers = await bench.seed((s) => seedPasskeyUsers(s, warmup + logins, 'passkeyuser', bench.url));

  const code = (secret: Uint8Array) => async (agent: UserAgent, page: Page) => {
    if (!page.html.includes('/step/totp')) throw new Error(`expected the soft token page:\n${page.html.slice(0, 800)}`);
    return agent.submit(page, '/step/totp', { action: 'verify', code: totpCode(secret, totpParams, Date.now()) });
  };
  const withPassword = (from: number, count: number) =>
    runConcurrent(count, concurrency, async (i) => {
      const u = totpUsers[from + i]!;
      await signIn(bench.rp, u.login, u.password, code(u.secret));
    });
  const withPasskey = (from: number, count: number) =>
    runConcurrent(count, concurrency, async (i) => {
      const u = passkeyUsers[from + i]!;
      await passkeySignIn(bench.rp, u.login, u.authenticator);
    });
  const measured = async (run: () => Promise<RunResult>): Promise<Measured> => {
    const cpu0 = bench.serverCpu();
    const result = await run();
    return { ...result, cpu: bench.serverCpu() - cpu0 };
  };

  await withPassword(0, warmup);
  await withPasskey(0, warmup);
  const half = Math.ceil(logins / 2);
  const p1 = await measured(() => withPassword(warmup, half));
  const k1 = await measured(() => withPasskey(warmup, half));
  const p2 = await measured(() => withPassword(warmup + half, logins - half));
  const k2 = await measured(() => withPasskey(warmup + half, logins - half));
  const password = combine(p1, p2);
  const passkey = combine(k1, k2);
  const ratio = passkey.perSecond / password.perSecond;
  const verifications = await assertionVerificationsPerSecond(bench.url);

  const a = bench.config.argon2;
  const line = (what: string, r: Measured) =>
    `${what}: ${r.count} in ${fmt(r.seconds)} s = ${fmt(r.perSecond)} logins/s, p50 ${fmt(percentile(r.latencies, 50), 0)} ms, p99 ${fmt(percentile(r.latencies, 99), 0)} ms; server CPU ${fmt((r.cpu * 1000) / r.count)} ms per sign-in`;
  console.log(`bench:passkey — SQLite, one server process, ${concurrency} concurrent clients for both kinds, Argon2id m=${a.memoryCost} KiB t=${a.timeCost} p=${a.parallelism}`);
  console.log(line('password + soft token sign-ins (authorize → password → code → token)', password));
  console.log(line('passwordless passkey sign-ins (authorize → passkey → token)', passkey));
  console.log(`passkey sign-ins are ${fmt(ratio, 2)}× the password sign-in rate (target ≥ ${TARGET}×): ${ratio >= TARGET ? 'met' : 'NOT met'}`);
  console.log(`WebAuthn assertion verifications (SimpleWebAuthn verifyAuthenticationResponse, ES256, one at a time): ${fmt(verifications.perSecond, 0)} per second on one core (${fmt(verifications.cpuMs, 3)} ms CPU each)`);
} finally {
  await bench.stop();
}

function combine(a: Measured, b: Measured): Measured {
  const count = a.count + b.count;
  const seconds = a.seconds + b.seconds;
  return { count, seconds, perSecond: count / seconds, latencies: [...a.latencies, ...b.latencies], cpu: a.cpu + b.cpu };
}

/** The check a passkey sign-in makes, in a loop: one assertion verified again and again, sequentially. */
async function assertionVerificationsPerSecond(origin: string): Promise<{ perSecond: number; cpuMs: number }> {
  const rpID = new URL(origin).hostname;
  const authenticator = new SoftAuthenticator(origin);
  // The server's algorithms (EdDSA, ES256, RS256), so the library does not probe Node's experimental ones.
  const supportedAlgorithmIDs = [-8, -7, -257];
  const options = await generateRegistrationOptions({ rpName: 'bench', rpID, userName: 'bench', attestationType: 'none', supportedAlgorithmIDs });
  const registration = await verifyRegistrationResponse({ response: authenticator.register(options), expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, supportedAlgorithmIDs });
  if (!registration.verified) throw new Error('registration not verified');
  const { credential } = registration.registrationInfo;
  const challenge = randomBytes(40).toString('base64url');
  const response = authenticator.authenticate({ challenge, rpId: rpID });
  const verify = async () => {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { ...credential, counter: 0 },
      requireUserVerification: true,
    });
    if (!result.verified) throw new Error('assertion not verified');
  };
  for (let i = 0; i < 200; i++) await verify();
  let count = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  while (performance.now() - started < 2000) {
    for (let i = 0; i < 50; i++) await verify();
    count += 50;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: count / seconds, cpuMs: (cpu.user + cpu.system) / 1000 / count };
}
