// CPU time of a process by thread (Linux /proc, nanosecond precision from schedstat). Threads that
// have exited are not counted: the servers' threads live as long as they do, and the benchmark's
// own thread pool too.
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** the JavaScript (main) thread */
  main: number;
  /** libuv's pool: hashing, SQLite, async crypto */
  pool: number;
  /** V8's helpers: GC and compiler */
  v8: number;
  other: number;
}

/** CPU seconds so far, by thread kind, of process `pid` (`'self'` for this one). */
export function threadCpuSeconds(pid: number | 'self'): ThreadCpu {
  const cpu: ThreadCpu = { main: 0, pool: 0, v8: 0, other: 0 };
  const main = pid === 'self' ? String(process.pid) : String(pid);
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    const seconds = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
    const kind = tid === main ? 'main' : name.startsWith('libuv-worker') ? 'pool' : name.startsWith('V8') ? 'v8' : 'other';
    cpu[kind] += seconds;
  }
  return cpu;
}

export const totalCpu = (t: ThreadCpu): number => t.main + t.pool + t.v8 + t.other;

/** `after - before` in ms per `count` operations, by thread kind and in all. */
export function cpuPer(before: ThreadCpu, after: ThreadCpu, count: number): ThreadCpu & { all: number } {
  const per = (k: keyof ThreadCpu) => ((after[k] - before[k]) * 1000) / count;
  const split = { main: per('main'), pool: per('pool'), v8: per('v8'), other: per('other') };
  return { ...split, all: totalCpu(split) };
}
