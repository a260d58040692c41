// A SofttokenIo for tests: scripted input lines, captured output, a fixed clock.
import type { SofttokenIo } from '../../src/softtoken/softtoken-io.js';

export interface ScriptedIo extends SofttokenIo {
  stdout: string[];
  stderr: string[];
  prompts: string[];
}

export function scriptedIo(input: string[] = [], options: { interactive?: boolean; now?: number } = {}): ScriptedIo {
  const lines = [...input];
  const io: ScriptedIo = {
    stdout: [],
    stderr: [],
    prompts: [],
    interactive: options.interactive ?? false,
    out: (line) => void io.stdout.push(line),
    err: (line) => void io.stderr.push(line),
    async readLine(prompt) {
      io.prompts.push(prompt);
      return lines.length > 0 ? lines.shift()! : null;
    },
    ...(options.now !== undefined ? { clock: { now: () => options.now! } } : {}),
  };
  return io;
}
