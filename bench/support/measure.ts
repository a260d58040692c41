// Running N workers for a fixed amount of work, and summarising latencies.
import argon2 from 'argon2';
import type { Config } from '../../src/config/config.js';

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

/** The bare password hash with the server's Argon2id parameters, `concurrency` at a time. */
function hashOnly(params: Config['argon2'], total: number, concurrency: number): Promise<RunResult> {
  return runConcurrent(total, concurrency, async (i) => {
    await argon2.hash(`bench password ${i}`, { type: argon2.argon2id, ...params });
  });
}

/**
 * The hash-only rate measured half before and half after `work`, so that a machine whose speed
 * drifts during the run (shared cores, thermal limits) weighs on both figures alike.
 */
export async function hashOnlyAround<T>(params: Config['argon2'], total: number, concurrency: number, work: () => Promise<T>): Promise<{ hash: RunResult; result: T }> {
  const before = await hashOnly(params, Math.ceil(total / 2), concurrency);
  const result = await work();
  const after = await hashOnly(params, Math.floor(total / 2), concurrency);
  const seconds = before.seconds + after.seconds;
  return { hash: { count: total, seconds, perSecond: total / seconds, latencies: [...before.latencies, ...after.latencies] }, result };
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
