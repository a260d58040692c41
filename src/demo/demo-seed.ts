// First start in development: a demo client and a demo user, credentials printed once.
import type { Config } from '../config/config.js';
import { randomPassword } from '../security/random.js';
import type { Services } from '../services.js';
import { DEMO_CLIENT_ID } from './demo.routes.js';

export interface DemoSeed {
  clientCreated: boolean;
  user?: { username: string; password: string };
}

export async function seedDemo(config: Config, s: Services): Promise<DemoSeed> {
  const result: DemoSeed = { clientCreated: false };
  if (!(await s.clients.exists(DEMO_CLIENT_ID))) {
    await s.clients.add(
      {
        clientId: DEMO_CLIENT_ID,
        name: 'Demo application',
        redirectUris: [`${config.issuer}/demo/callback`],
        postLogoutRedirectUris: [`${config.issuer}/demo`],
        public: true,
        firstParty: true,
      },
      { actor: 'system' },
    );
    result.clientCreated = true;
  }
  if (!(await s.users.findByLogin('demo'))) {
    const password = randomPassword();
    await s.users.create({ username: 'demo', email: 'demo@example.com', name: 'Demo User', password }, { actor: 'system' });
    result.user = { username: 'demo', password };
  }
  return result;
}
