// What a CLI command reads and writes, so tests can run commands in-process.
export interface CliIo {
  /** The whole of standard input (empty when it is a terminal). */
  stdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

/** A mistake in the command line itself: usage on stderr, exit code 2. */
export class UsageError extends Error {}
