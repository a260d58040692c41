// A real server process on a fresh SQLite database for benchmarks, with an SMS gateway stand-in,
// a confidential application registered, and a way to seed users through the services.
import { randomBytes } from 'node:crypto';
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
import { type ThreadCpu, threadCpuSeconds, totalCpu } from './process-cpu.js';

export interface BenchServer {
  url: string;
  pid: number;
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
    // Measure with your own hash parameters (ARGON2_MEMORY_KIB=65536 ARGON2_TIME_COST=3 npm run bench:login)
    // or commit setting (SQLITE_SYNCHRONOUS=normal npm run bench:tokens).
    ...pick(process.env, ['ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'SQLITE_SYNCHRONOUS']),
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
    pid: server.child.pid!,
    config,
    sms,
    rp,
    seed,
    serverCpu: () => totalCpu(threadCpuSeconds(server.child.pid!)),
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
