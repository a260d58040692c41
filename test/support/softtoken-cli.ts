// The softtoken app run in-process for the CLI tests: a fresh vault per test, the PIN from the
// environment (or typed lines), a fixed clock, and the activation stand-in server.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSofttoken } from '../../src/softtoken/softtoken-app.js';
import { type ActivationStandIn, startActivationStandIn } from './activation-stand-in.js';
import { scriptedIo } from './scripted-io.js';

export const PIN = '4821';
export const NOW = 1_760_000_012_345;
export const LOCKED = 'The vault is locked after too many wrong PINs. Run reinitialize to start again; all identities will be lost.';
export const DUPLICATE = 'An identity with the specified name already exists.';

export interface SofttokenCli {
  /** Runs one command with the PIN from SOFTTOKEN_PIN (or `input` lines when pin is null). */
  st(argv: string[], options?: { pin?: string | null; input?: string[]; interactive?: boolean; now?: number }): Promise<{ code: number; out: string; err: string; io: ReturnType<typeof scriptedIo> }>;
  /** The code of identity `name` at `now`, as `code --json` prints it. */
  codeJson(name: string, now?: number): Promise<{ code: string; secondsLeft: number }>;
  /** This test's directory and vault file; the stand-in server. */
  readonly dir: string;
  readonly vaultFile: string;
  readonly standIn: ActivationStandIn;
}

/** Sets up the hooks of a test file and answers what its tests use. */
export function softtokenCli(): SofttokenCli {
  let dir = '';
  let standIn: ActivationStandIn | undefined;
  beforeAll(async () => {
    standIn = await startActivationStandIn();
  });
  afterAll(() => standIn?.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'softtoken-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cli: SofttokenCli = {
    async st(argv, options = {}) {
      const io = scriptedIo(options.input ?? [], { interactive: options.interactive, now: options.now ?? NOW });
      const pin = options.pin === undefined ? PIN : options.pin;
      const env = { SOFTTOKEN_VAULT: cli.vaultFile, HOME: dir, ...(pin !== null ? { SOFTTOKEN_PIN: pin } : {}) };
      const code = await runSofttoken(argv, io, env);
      return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), io };
    },
    async codeJson(name, now = NOW) {
      const r = await cli.st(['code', name, '--json'], { now });
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as { code: string; secondsLeft: number };
    },
    get dir() {
      return dir;
    },
    get vaultFile() {
      return join(dir, 'vault.json');
    },
    get standIn() {
      return standIn!;
    },
  };
  return cli;
}
