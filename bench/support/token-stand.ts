// The token endpoint benchmark's stand: the project's server (the build `npm start` runs, SQLite)
// and bare oidc-provider in memory, both child processes of the benchmark, serving the same
// machine client, the same signing keys and the same two resource servers (JWT and opaque
// access tokens); users who sign in once each for a refresh token.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import type { Services } from '../../src/services.js';
import { exchange } from '../../src/support/http-exchange.js';
import { projectRoot } from '../../src/support/project-root.js';
import { isCallback, REDIRECT_URI } from '../../test/support/relying-party.js';
import { freePort, type ServerProcess } from '../../test/support/server-process.js';
import { pinFrom } from '../../test/support/smtp-capture.js';
import type { SmsCapture } from '../../test/support/sms-capture.js';
import { UserAgent } from '../../test/support/user-agent.js';
import type { BareProviderSetup } from './bare-provider.js';
import { startBenchServer } from './bench-server.js';
import { keepAliveTransport } from './keep-alive-transport.js';

export const JWT_API = 'https://jwt-api.bench.example';
export const OPAQUE_API = 'https://opaque-api.bench.example';
const MACHINE = 'bench-machine';

// A connection idle for 4 s is closed from this side: the server closes idle ones at 5 s, and a request
// sent on one just as it does dies with `socket hang up` (rounds leave a server idle while the other runs).
const agent = new http.Agent({ keepAlive: true, timeout: 4000, maxSockets: 256 });

/** One POST to a token endpoint over kept-alive connections; throws unless 200. */
export async function tokenRequest(base: string, basic: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const u = new URL('/token', base);
  const res = await exchange(
    http,
    { hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' } },
    new URLSearchParams(form).toString(),
  );
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`token endpoint ${base}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export interface TokenStand {
  project: { url: string; pid: number };
  bare: { url: string; pid: number };
  /** `client_id:client_secret`, base64, for both servers. */
  machineBasic: string;
  webBasic: string;
  /** One refresh token per user that signed in. */
  refreshTokens: string[];
  stop(): Promise<void>;
}

export async function startTokenStand(signIns: number): Promise<TokenStand> {
  const project = await startBenchServer({ REQUIRE_SOFT_TOKEN: 'false', PIN_DELIVERY: 'sms' });
  let bare: ServerProcess | undefined;
  try {
    const seeded = await project.seed((s) => seed(s, signIns));
    const setup: BareProviderSetup = {
      port: await freePort(),
      client: { client_id: MACHINE, client_secret: seeded.machineSecret },
      jwks: seeded.jwks,
      resources: seeded.resources,
    };
    bare = await startBare(setup);
    const web = await oidc.discovery(new URL(project.url), 'bench-web', undefined, oidc.ClientSecretBasic(seeded.webSecret), { execute: [oidc.allowInsecureRequests] });
    const refreshTokens: string[] = [];
    for (const user of seeded.users) refreshTokens.push(await signInForRefreshToken(web, user, project.sms));
    const basic = (id: string, secret: string) => Buffer.from(`${id}:${secret}`).toString('base64');
    const started = bare;
    return {
      project: { url: project.url, pid: project.pid },
      bare: { url: started.url, pid: started.child.pid! },
      machineBasic: basic(MACHINE, seeded.machineSecret),
      webBasic: basic('bench-web', seeded.webSecret),
      refreshTokens,
      async stop() {
        await Promise.all([project.stop(), started.stop()]);
      },
    };
  } catch (err) {
    await Promise.all([project.stop(), bare?.stop()]);
    throw err;
  }
}

async function seed(s: Services, signIns: number) {
  const { clientSecret: machineSecret } = await s.clients.add({ clientId: MACHINE, grantTypes: ['client_credentials'] });
  const { clientSecret: webSecret } = await s.clients.add({ clientId: 'bench-web', redirectUris: [REDIRECT_URI] });
  const resources: BareProviderSetup['resources'] = {};
  for (const [identifier, tokenFormat] of [[JWT_API, 'jwt'], [OPAQUE_API, 'opaque']] as const) {
    const rs = await s.resources.add({ identifier, name: identifier, scopes: ['bench:read'], tokenFormat, accessTokenTtl: 600 });
    resources[identifier] = { scope: 'bench:read', audience: identifier, accessTokenTTL: 600, accessTokenFormat: tokenFormat, ...(tokenFormat === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}) };
    void rs;
  }
  const users = [];
  for (let i = 0; i < signIns; i++) {
    const login = `refresher${i}`;
    const mobile = `+4670${String(2_000_000 + i).slice(1)}`;
    await s.users.create({ username: login, email: `${login}@bench.example`, mobile, password: `${login} bench password` });
    users.push({ login, password: `${login} bench password`, mobile });
  }
  // The server created its keys at start; the bare provider signs with the same ones.
  const jwks = (await s.keys.jwks()) as BareProviderSetup['jwks'];
  return { machineSecret: machineSecret!, webSecret: webSecret!, resources, users, jwks };
}

async function startBare(setup: BareProviderSetup): Promise<ServerProcess> {
  const bin = join(projectRoot, 'node_modules/.bin');
  const child = spawn(join(bin, 'node'), ['--import', 'tsx', 'bench/support/bare-provider.ts'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'production', NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? '', BARE_PROVIDER: JSON.stringify(setup) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${setup.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error('bare oidc-provider exited');
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { url, port: setup.port, child, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error('bare oidc-provider not ready in time');
}

/** Password + SMS PIN, consent to offline access; returns the refresh token. */
async function signInForRefreshToken(web: oidc.Configuration, user: { login: string; password: string; mobile: string }, sms: SmsCapture): Promise<string> {
  const browser = new UserAgent({}, keepAliveTransport);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid offline_access',
    prompt: 'consent',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const seen = sms.messages.length;
  const login = await browser.follow(await browser.get(url.href));
  const pinPage = await browser.follow(await browser.submit(login, '/step/password', { login: user.login, password: user.password }));
  const pin = pinFrom((await sms.next(user.mobile, seen)).text);
  const done = await browser.follow(await browser.submit(pinPage, '/step/pin', { action: 'verify', pin }), isCallback);
  if (!isCallback(done.url)) throw new Error(`sign-in of ${user.login} did not return to the application`);
  const tokens = await oidc.authorizationCodeGrant(web, new URL(done.url), { pkceCodeVerifier: verifier, idTokenExpected: true });
  if (!tokens.refresh_token) throw new Error('no refresh token');
  return tokens.refresh_token;
}
