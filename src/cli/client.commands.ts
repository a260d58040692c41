// `idp client add | add-service | list`.
import { parseArgs } from 'node:util';
import type { Services } from '../services.js';
import { type CliIo, UsageError } from './cli-io.js';

const actor = { actor: 'cli' };

export async function clientCommand(verb: string | undefined, args: string[], io: CliIo, s: () => Promise<Services>, json: boolean): Promise<void> {
  switch (verb) {
    case 'add': {
      const { values } = parseArgs({
        args,
        options: {
          id: { type: 'string' },
          name: { type: 'string' },
          'redirect-uri': { type: 'string', multiple: true },
          'post-logout-redirect-uri': { type: 'string', multiple: true },
          'backchannel-logout-uri': { type: 'string' },
          public: { type: 'boolean' },
          'third-party': { type: 'boolean' },
        },
        strict: true,
      });
      if (!values.id || !values['redirect-uri']?.length) throw new UsageError('client add needs --id and at least one --redirect-uri');
      const services = await s();
      const created = await services.clients.add(
        {
          clientId: values.id,
          name: values.name,
          redirectUris: values['redirect-uri'],
          postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
          backchannelLogoutUri: values['backchannel-logout-uri'],
          public: values.public ?? false,
          firstParty: !values['third-party'],
        },
        actor,
      );
      io.out(json ? JSON.stringify(created) : `Created client ${created.clientId}${created.clientSecret ? `\nClient secret (shown once): ${created.clientSecret}` : ' (public: PKCE, no secret)'}`);
      return;
    }
    case 'add-service': {
      const { values } = parseArgs({ args, options: { id: { type: 'string' }, role: { type: 'string' } }, strict: true });
      if (!values.id || !values.role) throw new UsageError('client add-service needs --id and --role (helpdesk, admin or superadmin)');
      const services = await s();
      const created = await services.clients.addServiceAccount(values.id, values.role as 'admin', actor);
      io.out(json ? JSON.stringify(created) : `Created service account ${created.clientId} (${values.role})\nClient secret (shown once): ${created.clientSecret}`);
      return;
    }
    case 'list': {
      parseArgs({ args, options: {}, strict: true });
      const clients = await (await s()).clients.list();
      io.out(
        json
          ? JSON.stringify(clients)
          : clients.map((c) => `${c.clientId}\t${c.serviceAccount ? 'service' : c.public ? 'public' : 'confidential'}\t${c.redirectUris.join(' ')}`).join('\n') || 'No clients.',
      );
      return;
    }
    default:
      throw new UsageError(`unknown command: client ${verb ?? ''}`);
  }
}
