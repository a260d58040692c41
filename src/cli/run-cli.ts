// The operator command line: parses, dispatches, maps failures to exit codes
// (0 done, 1 refused by a rule, 2 bad usage).
import { ConfigError } from '../config/config.js';
import { AppError } from '../errors/app-error.js';
import { messageFor } from '../errors/messages.js';
import type { Services } from '../services.js';
import { withServices } from './cli-context.js';
import { clientCommand } from './client.commands.js';
import { type CliIo, UsageError } from './cli-io.js';
import { keyCommand } from './key.commands.js';
import { resourceCommand } from './resource.commands.js';
import { userCommand } from './user.commands.js';

export const usage = `usage: idp <command> [--json]
  user add --username U --email E [--mobile +155…] [--name N] [--role user|helpdesk|admin|superadmin] [--generate-password]
           (the password is read from standard input unless --generate-password)
  user list
  user unlock USERNAME
  client add --id ID --redirect-uri URI [--redirect-uri URI…] [--post-logout-redirect-uri URI] [--backchannel-logout-uri URI] [--public] [--third-party] [--name N]
             [--grant authorization_code|refresh_token|device_code|client_credentials …] [--private-key-jwt (--jwks-file F | --jwks-uri URI)]
             [--require-par] [--require-dpop] [--id-token-alg RS256|ES256]
  client update --id ID [--require-par yes|no] [--require-dpop yes|no] [--id-token-alg RS256|ES256] [--name N]
  client add-service --id ID --role helpdesk|admin|superadmin
  client list
  resource add --identifier URI --name N --scope S [--scope S…] [--format jwt|opaque] [--ttl SECONDS] [--alg RS256|ES256] [--client-id ID]
  resource update --identifier URI [--name N] [--scope S…] [--format jwt|opaque] [--ttl SECONDS] [--alg RS256|ES256]
  resource list | resource delete --identifier URI | resource rotate-secret --identifier URI
  keys prepare | keys rotate | keys list
           (several servers: prepare, restart each, rotate, restart each; one server: rotate, restart)`;

const groups = { user: userCommand, client: clientCommand, keys: keyCommand, resource: resourceCommand } as const;

export async function runCli(argv: string[], io: CliIo, env: Record<string, string | undefined>): Promise<number> {
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  if (rest[0] === '--help' || rest[0] === 'help') {
    io.out(usage);
    return 0;
  }
  const [group, verb, ...args] = rest;
  let opened: Promise<Services> | undefined;
  try {
    const command = groups[group as keyof typeof groups];
    if (!command) throw new UsageError(group ? `unknown command: ${group}` : 'no command given');
    // The database is opened only once the command line is known to be good.
    return await withServices(env, async (services) => {
      opened = Promise.resolve(services);
      await command(verb, args, io, () => opened!, json);
      return 0;
    });
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\n${usage}`);
      return 2;
    }
    if (err instanceof AppError) {
      io.err(json ? JSON.stringify({ error: err.code, message: messageFor(err.code, err.params) }) : messageFor(err.code, err.params));
      return 1;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}
