// Admin API: a user's passkeys — list them (never a key or a counter), delete one (a lost device;
// ?allowLast=true, an administrator's choice, takes the account's last way in).
import type Router from '@koa/router';
import { z } from 'zod';
import type { PasskeyView } from '../../passkeys/passkey-view.js';
import type { Services } from '../../services.js';
import { PasskeyActions } from '../actions/passkey.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';

const doc = routeDocs('Passkeys');

const epochMs = z.number().int().describe('Epoch milliseconds');
const passkey = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    createdAt: epochMs,
    lastUsedAt: epochMs.nullable(),
    device: z
      .strictObject({
        name: z.string().optional().describe('The passkey provider or model, when the AAGUID is a well-known one (iCloud Keychain, YubiKey 5 Series…)'),
        kind: z.enum(['this-device', 'security-key', 'phone', 'unknown']).describe("What the transports suggest: built into the device it was made on, a security key, or a phone nearby"),
      })
      .describe('A hint for people, as the authenticator reported it (attestation none: unverified)'),
    synced: z.boolean().describe('Backed up to the owner’s other devices by a passkey provider'),
    aaguid: z.string(),
    transports: z.array(z.string()),
  })
  .meta({ id: 'Passkey' });
true satisfies [z.output<typeof passkey>] extends [PasskeyView] ? ([PasskeyView] extends [z.output<typeof passkey>] ? true : false) : false;
const passkeyList = z.strictObject({ passkeys: z.array(passkey) });

/** Taking the account's last way in is a deliberate choice: ?allowLast=true. */
const lossQuery = z.object({ allowLast: z.enum(['true', 'false']).default('false') });

export function passkeysApi(router: Router, s: Services): void {
  const passkeys = new PasskeyActions(s);

  router.get('/users/:id/passkeys', doc({ id: 'listPasskeys', summary: "A user's passkeys, with where each lives, when added and last used", responses: { 200: passkeyList } }), async (ctx) => {
    ctx.body = { passkeys: await passkeys.list(adminOf(ctx), ctx.params.id!) };
  });

  router.delete(
    '/users/:id/passkeys/:passkeyId',
    doc({
      id: 'deletePasskey',
      summary: 'Delete a passkey; the user is told by e-mail (?allowLast=true, administrators only, for the last way in)',
      description: 'Refused (409) when it is the last way in of an account that needs a soft token or a passkey, unless allowLast=true, and always when it would leave no super administrator able to sign in.',
      query: lossQuery,
      responses: { 204: null },
      errors: [409],
    }),
    async (ctx) => {
      await passkeys.delete(adminOf(ctx), ctx.params.id!, ctx.params.passkeyId!, input(lossQuery, ctx.query).allowLast === 'true');
      noContent(ctx);
    },
  );
}
