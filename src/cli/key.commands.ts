// `idp keys prepare | rotate | list`.
import { parseArgs } from 'node:util';
import type { Services } from '../services.js';
import { type CliIo, UsageError } from './cli-io.js';

export async function keyCommand(verb: string | undefined, args: string[], io: CliIo, s: () => Promise<Services>, json: boolean): Promise<void> {
  parseArgs({ args, options: {}, strict: true });
  if (!['prepare', 'rotate', 'list'].includes(verb ?? '')) throw new UsageError(`unknown command: keys ${verb ?? ''}`);
  const services = await s();
  switch (verb) {
    case 'prepare': {
      await services.keys.jwks(); // the current signing key exists before the next one
      const prepared = await services.keys.prepare();
      if (prepared.created) await services.audit.record({ actor: 'cli', type: 'keys.prepared', outcome: 'success', details: prepared });
      io.out(
        json
          ? JSON.stringify(prepared)
          : `Next signing keys ${prepared.kids.RS256} (RS256) and ${prepared.kids.ES256} (ES256) ${prepared.created ? 'created' : 'were already prepared'}. Restart the servers one by one so that all publish them, then run "keys rotate".`,
      );
      return;
    }
    case 'rotate': {
      await services.keys.jwks(); // make sure a key exists to be retired
      const rotated = await services.keys.rotate();
      await services.audit.record({ actor: 'cli', type: 'keys.rotated', outcome: 'success', details: { ...rotated } });
      io.out(
        json
          ? JSON.stringify(rotated)
          : `New signing keys ${rotated.kids.RS256} (RS256) and ${rotated.kids.ES256} (ES256)${rotated.staged ? ' (prepared earlier)' : ''}; retired ${rotated.retired.join(', ') || 'none'}. Restart the servers to sign with them.` +
              (rotated.staged ? '' : ' With several servers, use "keys prepare" first: a server restarted early would sign with a key the others do not publish yet.'),
      );
      return;
    }
    default: {
      const keys = await services.keys.list();
      io.out(json ? JSON.stringify(keys) : keys.map((k) => `${k.kid}\t${k.alg}\t${k.status}\t${new Date(k.createdAt).toISOString()}`).join('\n') || 'No keys yet.');
    }
  }
}
