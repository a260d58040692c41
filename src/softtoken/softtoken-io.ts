// What the softtoken app needs from the outside world, passed in so tests can run it in-process
// with scripted input, a fixed clock and a stand-in server.
import type { Clock } from '../support/clock.js';

export interface SofttokenIo {
  /** Writes one line to standard output (results, --json documents). */
  out(line: string): void;
  /** Writes one line to standard error (errors, usage, notes for the user). */
  err(line: string): void;
  /**
   * One line from the user: a prompt on a terminal (not echoed when hidden), otherwise the next
   * line of standard input. Null at the end of the input.
   */
  readLine(prompt: string, options?: { hidden?: boolean }): Promise<string | null>;
  /** True when a person is at a terminal; a new PIN is then typed twice. */
  interactive: boolean;
  clock?: Clock;
  fetch?: typeof fetch;
}

/** What every command gets: the world, the vault's place, the output mode. */
export interface CommandContext {
  io: SofttokenIo;
  env: Record<string, string | undefined>;
  vaultFile: string;
  json: boolean;
  now(): number;
}
