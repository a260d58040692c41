// `idp client add | update | add-service | list`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ClientGrant, type NewClient } from '../clients/client.schema.js';
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
          grant: { type: 'string', multiple: true },
          'private-key-jwt': { type: 'boolean' },
          'jwks-file': { type: 'string' },
          'jwks-uri': { type: 'string' },
          'require-par': { type: 'boolean' },
          'require-dpop': { type: 'boolean' },
          'id-token-alg': { type: 'string' },
        },
        strict: true,
      });
      const grantTypes = (values.grant ?? ['authorization_code', 'refresh_token']) as ClientGrant[];
      if (!values.id) throw new UsageError('client add needs --id');
      if (grantTypes.includes('authorization_code') && !values['redirect-uri']?.length) throw new UsageError('client add needs at least one --redirect-uri for the authorization_code grant');
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
          grantTypes,
          authMethod: values['private-key-jwt'] ? 'private_key_jwt' : 'client_secret_basic',
          ...(values['jwks-file'] ? { jwks: readJwks(values['jwks-file']) } : {}),
          ...(values['jwks-uri'] ? { jwksUri: values['jwks-uri'] } : {}),
          requirePar: values['require-par'] ?? false,
          requireDpop: values['require-dpop'] ?? false,
          ...(values['id-token-alg'] ? { idTokenSigningAlg: values['id-token-alg'] as 'RS256' } : {}),
        },
        actor,
      );
      io.out(json ? JSON.stringify(created) : `Created client ${created.clientId}${created.clientSecret ? `\nClient secret (shown once): ${created.clientSecret}` : ' (public: PKCE, no secret)'}`);
      return;
    }
    case 'update': {
      const { values } = parseArgs({
        args,
        options: { id: { type: 'string' }, 'require-par': { type: 'string' }, 'require-dpop': { type: 'string' }, 'id-token-alg': { type: 'string' }, name: { type: 'string' } },
        strict: true,
      });
      if (!values.id) throw new UsageError('client update needs --id');
      const services = await s();
      await services.clients.update(
        values.id,
        {
          ...(values.name !== undefined ? { name: values.name } : {}),
          ...(values['require-par'] !== undefined ? { requirePar: yesNo(values['require-par']) } : {}),
          ...(values['require-dpop'] !== undefined ? { requireDpop: yesNo(values['require-dpop']) } : {}),
          ...(values['id-token-alg'] !== undefined ? { idTokenSigningAlg: values['id-token-alg'] as 'RS256' } : {}),
        },
        actor,
      );
      io.out(json ? JSON.stringify({ clientId: values.id, updated: true }) : `Updated client ${values.id}`);
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
          : clients
              .map((c) => `${c.clientId}\t${c.resourceServer ? 'api-credentials' : c.serviceAccount ? 'service' : c.public ? 'public' : 'confidential'}\t${c.grantTypes.join(',')}\t${c.redirectUris.join(' ')}`)
              .join('\n') || 'No clients.',
      );
      return;
    }
    default:
      throw new UsageError(`unknown command: client ${verb ?? ''}`);
  }
}

function yesNo(value: string): boolean {
  if (value === 'yes' || value === 'true') return true;
  if (value === 'no' || value === 'false') return false;
  throw new UsageError(`expected yes or no, got ${value}`);
}

/** A JWKS file for private_key_jwt (public keys only; the schema refuses private members). */
function readJwks(file: string): NewClient['jwks'] {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as NewClient['jwks'];
  } catch (err) {
    throw new UsageError(`cannot read a JWKS from ${file}: ${(err as Error).message}`);
  }
}
