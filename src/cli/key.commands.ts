// `idp keys rotate | list`.
import { parseArgs } from 'node:util';
import type { Services } from '../services.js';
import { type CliIo, UsageError } from './cli-io.js';

export async function keyCommand(verb: string | undefined, args: string[], io: CliIo, s: () => Promise<Services>, json: boolean): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  const services = await s();
  switch (verb) {
    case 'rotate': {
      await services.keys.jwks(); // make sure a key exists to be retired
      const rotated = await services.keys.rotate();
      await services.audit.record({ actor: 'cli', type: 'keys.rotated', outcome: 'success', details: rotated });
      io.out(json ? JSON.stringify(rotated) : `New signing key ${rotated.kid}; retired ${rotated.retired.join(', ') || 'none'}. Restart the servers to sign with it.`);
      return;
    }
    case 'list': {
      const keys = await services.keys.list();
      io.out(json ? JSON.stringify(keys) : keys.map((k) => `${k.kid}\t${k.alg}\t${k.status}\t${new Date(k.createdAt).toISOString()}`).join('\n') || 'No keys yet.');
      return;
    }
    default:
      throw new UsageError(`unknown command: keys ${verb ?? ''}`);
  }
}
