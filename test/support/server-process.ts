// A real server process for tests and benchmarks that need separate processes: the TypeScript sources
// through tsx, or (`compiled`) the build that `npm start` runs, dist/src/main.js (built beforehand).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../src/support/project-root.js';

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the server with `env` on `port` and waits for /readyz. */
export async function startServerProcess(env: Record<string, string>, port: number, timeoutMs = 60_000, compiled = false): Promise<ServerProcess> {
  const bin = join(projectRoot, 'node_modules/.bin');
  const args = compiled ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(join(bin, 'node'), args, {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: '', PATH: `${bin}:${process.env.PATH}`, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return { url, port, child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server not ready in time: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
