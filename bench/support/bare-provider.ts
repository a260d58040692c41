// Bare oidc-provider in memory, for comparison: the same client, keys and resource servers as the
// project's server, its default in-memory adapter, nothing else in front of it. Run as a child
// process; BARE_PROVIDER (JSON) says what to serve; answers /readyz like the project's server.
import { createServer } from 'node:http';
import Provider, { type Configuration, errors } from 'oidc-provider';

export interface BareProviderSetup {
  port: number;
  client: { client_id: string; client_secret: string };
  jwks: NonNullable<Configuration['jwks']>['keys'];
  /** Resource indicator → what getResourceServerInfo answers. */
  resources: Record<string, { scope: string; audience: string; accessTokenTTL: number; accessTokenFormat: 'jwt' | 'opaque'; jwt?: { sign: { alg: 'RS256' | 'ES256' } } }>;
}

const setup = JSON.parse(process.env.BARE_PROVIDER ?? '{}') as BareProviderSetup;
const issuer = `http://127.0.0.1:${setup.port}`;
const provider = new Provider(issuer, {
  clients: [{ ...setup.client, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' }],
  jwks: { keys: setup.jwks },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      async getResourceServerInfo(_ctx, indicator) {
        const info = setup.resources[indicator];
        if (!info) throw new errors.InvalidTarget();
        return info;
      },
    },
  },
  cookies: { keys: ['bare-provider-bench'] },
});
const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url === '/readyz') return void res.end('ok');
  callback(req, res);
});
server.listen(setup.port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
