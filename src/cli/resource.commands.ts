// `idp resource add | list | update | delete | rotate-secret`: resource servers (APIs).
import { parseArgs } from 'node:util';
import type { Services } from '../services.js';
import { type CliIo, UsageError } from './cli-io.js';

const actor = { actor: 'cli' };

const options = {
  identifier: { type: 'string' },
  name: { type: 'string' },
  scope: { type: 'string', multiple: true },
  format: { type: 'string' },
  ttl: { type: 'string' },
  alg: { type: 'string' },
  'client-id': { type: 'string' },
} as const;

export async function resourceCommand(verb: string | undefined, args: string[], io: CliIo, s: () => Promise<Services>, json: boolean): Promise<void> {
  if (!['add', 'list', 'update', 'delete', 'rotate-secret'].includes(verb ?? '')) throw new UsageError(`unknown command: resource ${verb ?? ''}`);
  const { values } = parseArgs({ args, options, strict: true });
  const scopes = values.scope?.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  const fields = {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(scopes ? { scopes } : {}),
    ...(values.format !== undefined ? { tokenFormat: values.format as 'jwt' } : {}),
    ...(values.ttl !== undefined ? { accessTokenTtl: Number(values.ttl) } : {}),
    ...(values.alg !== undefined ? { signingAlg: values.alg as 'RS256' } : {}),
  };
  if (verb !== 'list' && !values.identifier) throw new UsageError(`resource ${verb} needs --identifier`);
  const identifier = values.identifier!;
  const services = await s();
  switch (verb) {
    case 'add': {
      if (!values.name || !scopes?.length) throw new UsageError('resource add needs --identifier, --name and at least one --scope');
      const created = await services.resources.add({ identifier, name: values.name, scopes, ...fields, ...(values['client-id'] ? { clientId: values['client-id'] } : {}) }, actor);
      io.out(
        json
          ? JSON.stringify(created)
          : `Created API ${created.identifier} (${created.tokenFormat} access tokens, ${created.accessTokenTtl} s)\nIntrospection credentials: client id ${created.clientId}\nClient secret (shown once): ${created.clientSecret}`,
      );
      return;
    }
    case 'update': {
      const updated = await services.resources.update(identifier, fields, actor);
      io.out(json ? JSON.stringify(updated) : `Updated API ${identifier}`);
      return;
    }
    case 'delete':
      await services.resources.delete(identifier, actor);
      io.out(json ? JSON.stringify({ identifier, deleted: true }) : `Deleted API ${identifier}`);
      return;
    case 'rotate-secret': {
      const { clientId } = await services.resources.get(identifier);
      const clientSecret = await services.clients.rotateSecret(clientId, actor);
      io.out(json ? JSON.stringify({ identifier, clientId, clientSecret }) : `New introspection secret for ${clientId} (shown once): ${clientSecret}`);
      return;
    }
    default: {
      const list = await services.resources.list();
      io.out(json ? JSON.stringify(list) : list.map((r) => `${r.identifier}\t${r.tokenFormat}\t${r.accessTokenTtl}s\t${r.scopes.join(' ')}\t${r.clientId}`).join('\n') || 'No APIs.');
    }
  }
}
