// Starts the real server on an ephemeral port with a fresh database (SQLite file, or a new
// PostgreSQL database when TEST_DATABASE_URL is set).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createApp, type IdpApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { openDatabase } from '../../src/persistence/data-source.js';
import type { ServiceOverrides } from '../../src/services.js';

export interface TestServer {
  url: string;
  app: IdpApp;
  config: Config;
  server: Server;
  close(): Promise<void>;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file. */
export async function createTestDatabase(dir: string): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return { url: `sqlite:${join(dir, 'idp.sqlite')}`, drop: async () => {} };
  const name = `idp_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface OpenTestDatabase {
  ds: DataSource;
  close(): Promise<void>;
}

/** A migrated database of its own, opened without a server (for tests of the persistence layer). */
export async function openTestDatabase(prefix = 'idp-db-'): Promise<OpenTestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = await createTestDatabase(dir);
  const ds = await openDatabase(loadConfig(testEnv(dir, db.url)).database);
  return {
    ds,
    async close() {
      await ds.destroy();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testEnv(dir: string, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    // The password + PIN flow is tested on its own; soft token tests turn enrolment back on.
    REQUIRE_SOFT_TOKEN: 'false',
    // OWASP's cheapest accepted argon2id setting keeps the many hashes of the suite quick.
    ARGON2_MEMORY_KIB: '19456',
    ARGON2_TIME_COST: '2',
    ...extra,
  };
}

export async function startTestServer(
  /** `env` may depend on the server's own address (known once it listens). */
  options: { env?: Record<string, string> | ((url: string) => Record<string, string>); overrides?: ServiceOverrides & { log?: Logger }; dir?: string; databaseUrl?: string } = {},
): Promise<TestServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'idp-test-'));
  const db = options.databaseUrl ? { url: options.databaseUrl, drop: async () => {} } : await createTestDatabase(dir);
  const server = createServer();
  // Kept-alive connections outlive any pause a busy machine puts between two requests of a test
  // (the 5 s default races the client's reuse of the connection: ECONNRESET).
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const env = typeof options.env === 'function' ? options.env(url) : options.env;
  const config = loadConfig(testEnv(dir, db.url, { ISSUER: url, PORT: String(port), ...env }));
  const app = await createApp(config, { log: pino({ level: 'silent' }), ...options.overrides });
  server.on('request', app.callback());
  return {
    url,
    app,
    config,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
      await db.drop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
