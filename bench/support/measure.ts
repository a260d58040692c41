// Running N workers for a fixed amount of work, and summarising latencies.
import argon2 from 'argon2';
import type { Config } from '../../src/config/config.js';
import { threadCpuSeconds } from './process-cpu.js';

export interface RunResult {
  count: number;
  seconds: number;
  perSecond: number;
  latencies: number[];
}

/** Runs `task(i)` for i in [0, total) on `concurrency` workers; records each task's duration (ms). */
export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<RunResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { count: total, seconds, perSecond: total / seconds, latencies };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export interface HashResult extends RunResult {
  /** CPU ms per hash (this process's thread pool, where argon2 runs) */
  cpuMs: number;
}

/** The bare password hash with the server's Argon2id parameters, `concurrency` at a time. */
async function hashOnly(params: Config['argon2'], total: number, concurrency: number): Promise<HashResult> {
  const pool0 = threadCpuSeconds('self').pool;
  const run = await runConcurrent(total, concurrency, async (i) => {
    await argon2.hash(`bench password ${i}`, { type: argon2.argon2id, ...params });
  });
  return { ...run, cpuMs: ((threadCpuSeconds('self').pool - pool0) * 1000) / total };
}

/**
 * The hash-only rate (and CPU per hash) measured half before and half after `work`, so that a
 * machine whose speed drifts during the run (shared cores, thermal limits) weighs on both alike.
 */
export async function hashOnlyAround<T>(params: Config['argon2'], total: number, concurrency: number, work: () => Promise<T>): Promise<{ hash: HashResult; result: T }> {
  const before = await hashOnly(params, Math.ceil(total / 2), concurrency);
  const result = await work();
  const after = await hashOnly(params, Math.floor(total / 2), concurrency);
  const seconds = before.seconds + after.seconds;
  const cpuMs = (before.cpuMs * before.count + after.cpuMs * after.count) / total;
  return { hash: { count: total, seconds, perSecond: total / seconds, latencies: [...before.latencies, ...after.latencies], cpuMs }, result };
}

export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
