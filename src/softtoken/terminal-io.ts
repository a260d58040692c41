// SofttokenIo for a real process: prompts on the terminal (PINs not echoed), or lines from piped stdin.
import { createInterface, type Interface } from 'node:readline';
import { createInterface as createPromptInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { systemClock } from '../support/clock.js';
import type { SofttokenIo } from './softtoken-io.js';

async function askTerminal(prompt: string, hidden: boolean): Promise<string | null> {
  let muted = false;
  // Prompts go to stderr so that stdout carries only results (and --json stays parseable).
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createPromptInterface({ input: process.stdin, output, terminal: true });
  let closed = false;
  rl.on('close', () => (closed = true));
  try {
    const answer = rl.question(prompt);
    muted = hidden;
    const line = await answer;
    return closed && line === '' ? null : line;
  } catch {
    return null; // Ctrl-D or Ctrl-C at the prompt
  } finally {
    if (hidden) process.stderr.write('\n');
    rl.close();
  }
}

export function terminalIo(): SofttokenIo & { close(): void } {
  const interactive = process.stdin.isTTY === true;
  let piped: Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    interactive,
    clock: systemClock,
    async readLine(prompt, options = {}) {
      if (interactive) return askTerminal(prompt, options.hidden ?? false);
      piped ??= createInterface({ input: process.stdin, crlfDelay: Infinity });
      lines ??= piped[Symbol.asyncIterator]();
      const next = await lines.next();
      return next.done ? null : next.value;
    },
    close() {
      piped?.close();
      if (!interactive) process.stdin.destroy();
    },
  };
}
