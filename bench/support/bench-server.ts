// A real server process on a fresh SQLite database for benchmarks, with an SMS gateway stand-in,
// a confidential application registered, and a way to seed users through the services.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createViews } from '../../src/http/views.js';
import { openDatabase } from '../../src/persistence/data-source.js';
import { createServices, type Services } from '../../src/services.js';
import { REDIRECT_URI } from '../../test/support/relying-party.js';
import { freePort, startServerProcess } from '../../test/support/server-process.js';
import { SmsCapture } from '../../test/support/sms-capture.js';
import { keepAliveFetch } from './keep-alive-transport.js';

export interface BenchServer {
  url: string;
  config: Config;
  sms: SmsCapture;
  rp: oidc.Configuration;
  /** CPU seconds the server process has used so far (all threads, nanosecond precision). */
  serverCpu(): number;
  /** CPU seconds so far by thread kind: `main` (JavaScript), `pool` (libuv: hashing, SQLite), `v8` (GC and compiler helpers). */
  serverThreads(): ThreadCpu;
  /** Runs `fn` with the services opened on the same database (for seeding), then closes them. */
  seed<T>(fn: (s: Services) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface ThreadCpu {
  main: number;
  pool: number;
  v8: number;
  other: number;
}

export async function startBenchServer(extraEnv: Record<string, string> = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'idp-bench-'));
  const sms = new SmsCapture();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: 'production',
    DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'idp.sqlite')}`,
    SECRET_KEY: randomBytes(32).toString('base64'),
    ISSUER: url,
    SMS_WEBHOOK_URL: await sms.start(),
    LOG_LEVEL: 'warn',
    DEMO: 'false',
    // Every sign-in comes from 127.0.0.1: keep the per-address limit out of the measurement.
    IP_FAILURE_LIMIT: '1000000',
    ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
    // Measure with your own hash parameters: ARGON2_MEMORY_KIB=65536 ARGON2_TIME_COST=3 npm run bench:login
    ...pick(process.env, ['ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST']),
    ...extraEnv,
  };
  const server = await startServerProcess(env, port, 60_000, true);
  const config = loadConfig(env);
  const seed = async <T>(fn: (s: Services) => Promise<T>): Promise<T> => {
    const ds = await openDatabase(config.database);
    const services = await createServices(config, ds, createViews());
    try {
      return await fn(services);
    } finally {
      await services.close();
    }
  };
  const { clientSecret } = (await seed((s) => s.clients.add({ clientId: 'bench', redirectUris: [REDIRECT_URI], firstParty: true }))) as { clientSecret: string };
  const rp = await oidc.discovery(new URL(url), 'bench', undefined, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
  keepAliveFetch(rp);
  return {
    url,
    config,
    sms,
    rp,
    seed,
    serverCpu: () => processCpuSeconds(server.child.pid!),
    serverThreads: () => threadCpuSeconds(server.child.pid!),
    async stop() {
      await server.stop();
      await sms.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pick(source: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (source[k] ? [[k, source[k]]] : [])));
}

/** CPU time of each thread of a process (Linux /proc, nanosecond precision from schedstat). */
function threads(pid: number): Array<{ tid: string; name: string; seconds: number }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => ({
    tid,
    name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(),
    seconds: Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9,
  }));
}

/** Threads that have exited are not counted (the server's threads live as long as it does). */
function processCpuSeconds(pid: number): number {
  return threads(pid).reduce((sum, t) => sum + t.seconds, 0);
}

function threadCpuSeconds(pid: number): ThreadCpu {
  const cpu: ThreadCpu = { main: 0, pool: 0, v8: 0, other: 0 };
  for (const { tid, name, seconds } of threads(pid)) {
    const kind = tid === String(pid) ? 'main' : name.startsWith('libuv-worker') ? 'pool' : name.startsWith('V8') ? 'v8' : 'other';
    cpu[kind] += seconds;
  }
  return cpu;
}
