// The softtoken app (a desktop soft token): parses the command line, runs one command against the
// PIN-protected vault and returns the exit code (0 done, 1 failed, 2 wrong usage).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../errors/app-error.js';
import { messageFor } from '../errors/messages.js';
import { totpCode } from '../tokens/totp.js';
import { activateCommand, isValidName } from './activate.command.js';
import { ActivationRejected } from './activation-rejected.error.js';
import type { CommandContext, SofttokenIo } from './softtoken-io.js';
import { unlockVault } from './unlock-vault.js';
import { Vault } from './vault.js';

export const USAGE = `Usage: softtoken <command> [options]

  activate --link URL --name NAME
  activate --qr PNG_FILE_OR_PAYLOAD --password PASSWORD --name NAME
  activate --address ADDRESS --serial SERIAL --activation-code CODE --name NAME
  list                      the identities in the vault
  code NAME                 the current code and the seconds it stays valid
  rename OLD NEW
  delete NAME
  reinitialize [--yes]      delete the vault and every identity in it

Options: --vault FILE (or SOFTTOKEN_VAULT; default ~/.softtoken/vault.json),
  --json (activate, list, code). The PIN is typed, or read from SOFTTOKEN_PIN,
  or from the first line of standard input when it is not a terminal.`;

class UsageError extends Error {}

const OPTIONS = {
  link: { type: 'string' },
  qr: { type: 'string' },
  password: { type: 'string' },
  address: { type: 'string' },
  serial: { type: 'string' },
  'activation-code': { type: 'string' },
  name: { type: 'string' },
  vault: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Options each command accepts beyond --vault and --help, and how many positionals it takes. */
const COMMANDS: Record<string, { options: (keyof Values)[]; positionals: number }> = {
  activate: { options: ['link', 'qr', 'password', 'address', 'serial', 'activation-code', 'name', 'json'], positionals: 0 },
  list: { options: ['json'], positionals: 0 },
  code: { options: ['json'], positionals: 1 },
  rename: { options: [], positionals: 2 },
  delete: { options: [], positionals: 1 },
  reinitialize: { options: ['yes'], positionals: 0 },
};

function checkActivateOptions(v: Values): void {
  const entries = [v.link, v.qr, v.address].filter((x) => x !== undefined).length;
  if (entries !== 1) throw new UsageError('activate needs exactly one of --link, --qr or --address.');
  if (v.name === undefined) throw new UsageError('activate needs --name.');
  if ((v.qr !== undefined) !== (v.password !== undefined)) throw new UsageError('--qr and --password go together.');
  const manual = [v.serial, v['activation-code']].filter((x) => x !== undefined).length;
  if (v.address !== undefined ? manual !== 2 : manual !== 0) throw new UsageError('--address goes with --serial and --activation-code.');
}

async function list(ctx: CommandContext): Promise<number> {
  const vault = await unlockVault(ctx);
  const rows = vault.identities.map(({ secret: _, ...visible }) => visible);
  if (ctx.json) ctx.io.out(JSON.stringify({ identities: rows }));
  else if (rows.length === 0) ctx.io.out('The vault holds no identities yet. Add one with "softtoken activate".');
  else {
    const width = Math.max(4, ...rows.map((r) => r.name.length));
    ctx.io.out(`${'NAME'.padEnd(width)}  SERIAL      DIGITS  ADDRESS`);
    for (const r of rows) ctx.io.out(`${r.name.padEnd(width)}  ${r.serial}  ${String(r.digits).padEnd(6)}  ${r.address}`);
  }
  return 0;
}

async function code(name: string, ctx: CommandContext): Promise<number> {
  const identity = (await unlockVault(ctx)).get(name);
  const now = ctx.now();
  const value = totpCode(Buffer.from(identity.secret, 'base64'), identity, now);
  const secondsLeft = identity.period - (Math.floor(now / 1000) % identity.period);
  if (ctx.json) ctx.io.out(JSON.stringify({ name, code: value, secondsLeft, period: identity.period }));
  else ctx.io.out(`${value} (${secondsLeft} s left)`);
  return 0;
}

async function rename(from: string, to: string, ctx: CommandContext): Promise<number> {
  if (!isValidName(to)) throw new AppError('softtoken.invalid_name');
  await (await unlockVault(ctx)).rename(from, to);
  ctx.io.out(`Renamed "${from}" to "${to}".`);
  return 0;
}

async function remove(name: string, ctx: CommandContext): Promise<number> {
  await (await unlockVault(ctx)).remove(name);
  ctx.io.out(`Deleted "${name}".`);
  return 0;
}

/** Needs no PIN: it is the way out of a forgotten PIN or a locked vault. */
async function reinitialize(yes: boolean, ctx: CommandContext): Promise<number> {
  if (!yes) {
    const answer = await ctx.io.readLine(`This deletes the vault ${ctx.vaultFile} and every identity in it. Type "yes" to go on: `);
    if (answer?.trim().toLowerCase() !== 'yes') throw new AppError('softtoken.reinitialize_cancelled');
  }
  await Vault.wipe(ctx.vaultFile);
  ctx.io.out('The vault was reinitialized: all identities were deleted. The next command sets a new PIN.');
  return 0;
}

function run(command: string, v: Values, args: string[], ctx: CommandContext): Promise<number> {
  switch (command) {
    case 'activate':
      checkActivateOptions(v);
      return activateCommand(
        { name: v.name!, link: v.link, qr: v.qr, password: v.password, address: v.address, serial: v.serial, activationCode: v['activation-code'] },
        ctx,
      );
    case 'list':
      return list(ctx);
    case 'code':
      return code(args[0]!, ctx);
    case 'rename':
      return rename(args[0]!, args[1]!, ctx);
    case 'delete':
      return remove(args[0]!, ctx);
    default:
      return reinitialize(v.yes === true, ctx);
  }
}

export async function runSofttoken(argv: string[], io: SofttokenIo, env: Record<string, string | undefined>): Promise<number> {
  let json = false;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    const [command, ...args] = positionals;
    if (values.help || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    const spec = command === undefined ? undefined : COMMANDS[command];
    if (!spec) throw new UsageError(command === undefined ? 'No command given.' : `Unknown command "${command}".`);
    if (args.length !== spec.positionals) throw new UsageError(`${command} takes ${spec.positionals} argument(s).`);
    const stray = Object.keys(values).filter((k) => k !== 'vault' && !spec.options.includes(k as keyof Values));
    if (stray.length > 0) throw new UsageError(`${command} does not take --${stray[0]}.`);
    json = values.json === true;

    const clock = io.clock;
    const ctx: CommandContext = {
      io,
      env,
      json,
      vaultFile: values.vault ?? env.SOFTTOKEN_VAULT ?? join(env.HOME ?? homedir(), '.softtoken', 'vault.json'),
      now: () => (clock ? clock.now() : Date.now()),
    };
    return await run(command!, values, args, ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`softtoken: ${err.message}`);
      io.err(USAGE);
      return 2;
    }
    const known = err instanceof AppError ? { code: err.code, message: messageFor(err.code, err.params) } : err instanceof ActivationRejected ? { code: err.code, message: err.message } : null;
    if (!known) {
      io.err(`softtoken: ${(err as Error).message ?? String(err)}`);
      return 1;
    }
    if (json) io.out(JSON.stringify({ error: known.code, message: known.message }));
    io.err(known.message);
    return 1;
  }
}
