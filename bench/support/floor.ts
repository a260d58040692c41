// Starts the floor server (floor-server.ts) in its own process, for bench:login to drive with the
// same client and measure the same way as the real server.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { projectRoot } from '../../src/support/project-root.js';
import { REDIRECT_URI } from '../../test/support/relying-party.js';
import { freePort } from '../../test/support/server-process.js';
import type { UserAgent } from '../../test/support/user-agent.js';
import { keepAliveFetch } from './keep-alive-transport.js';
import { type ThreadCpu, threadCpuSeconds } from './process-cpu.js';
import { codeFlow } from './sign-in.js';

export interface FloorServer {
  /** One complete sign-in of `login` (authorize → the username form → code → token). */
  signIn(login: string): Promise<number>;
  threads(): ThreadCpu;
  stop(): Promise<void>;
}

export async function startFloorServer(): Promise<FloorServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const secret = randomBytes(24).toString('base64url');
  const bin = join(projectRoot, 'node_modules/.bin');
  const child = spawn(join(bin, 'node'), ['bench/support/floor-server.ts'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: process.env.BENCH_FLOOR_NODE_OPTIONS ?? '', NODE_ENV: 'production', PORT: String(port), CLIENT_SECRET: secret, REDIRECT_URI },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await ready(child, `${url}/.well-known/openid-configuration`, () => stderr);
  const rp = await oidc.discovery(new URL(url), 'bench', undefined, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });
  keepAliveFetch(rp);
  const submit = (login: string) => (agent: UserAgent, page: Parameters<UserAgent['submit']>[0]) => agent.submit(page, '/login', { login });
  return {
    signIn: (login) => codeFlow(rp, login, submit(login)),
    threads: () => threadCpuSeconds(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function ready(child: ChildProcess, url: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`floor server exited (${child.exitCode}): ${stderr()}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`floor server not ready in time: ${stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
