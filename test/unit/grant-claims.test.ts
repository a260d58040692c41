// Consuming a single-use grant claims its row (adapter.ts, write-batcher.ts): of the consumes of one
// row only the first is granted, a refused one says why in oidc-provider's words, and on SQLite a
// request whose claim is refused leaves none of its rows behind. On both databases.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context, Next } from 'koa';
import { errors } from 'oidc-provider';
import { createAdapter } from '../../src/provider/adapter.js';
import { holdWrites } from '../../src/provider/held-writes.js';
import { ReusedGrant } from '../../src/provider/reused-grant.js';
import { systemClock } from '../../src/support/clock.js';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

describe('claims of single-use grants', () => {
  let db: OpenTestDatabase;
  let Adapter: ReturnType<typeof createAdapter>;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    db = await openTestDatabase('idp-claims-');
    Adapter = createAdapter(db.ds, systemClock, async () => undefined, Buffer.alloc(32, 5));
  });

  afterAll(async () => {
    await db?.close();
  });

  const stored = async (model: string, ...ids: string[]) => {
    const adapter = new Adapter(model);
    await Promise.all(ids.map((id) => adapter.upsert(id, { jti: id, clientId: 'app', grantId: `grant-of-${id}`, iat: now(), exp: now() + 60 }, 60)));
    return adapter;
  };

  it('grants the first consume of a row and refuses the next, as a reused grant', async () => {
    const codes = await stored('AuthorizationCode', 'claim-code-1');
    await codes.consume('claim-code-1');
    const again = codes.consume('claim-code-1');
    await expect(again).rejects.toBeInstanceOf(ReusedGrant);
    await expect(again).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    // A row that is not there (revoked, or never was) cannot be claimed either.
    await expect(codes.consume('no-such-code')).rejects.toBeInstanceOf(ReusedGrant);
    expect((await codes.find('claim-code-1'))?.consumed).toEqual(expect.any(Number));
  });

  it('keeps a used grant used when it is saved again', async () => {
    // A device code confirmed in a second browser after the device took its tokens is saved again:
    // that save must not make it usable for a second set of tokens.
    const codes = await stored('DeviceCode', 'claim-device-1');
    await codes.consume('claim-device-1');
    await codes.upsert('claim-device-1', { jti: 'claim-device-1', clientId: 'app', accountId: 'someone-else', iat: now(), exp: now() + 60 }, 60);
    const found = await codes.find('claim-device-1');
    expect(found?.accountId).toBe('someone-else');
    expect(found?.consumed).toEqual(expect.any(Number));
    await expect(codes.consume('claim-device-1')).rejects.toBeInstanceOf(ReusedGrant);
  });

  it('refuses a pushed request used twice as oidc-provider does', async () => {
    const requests = await stored('PushedAuthorizationRequest', 'claim-par-1');
    await requests.consume('claim-par-1');
    const again = requests.consume('claim-par-1');
    await expect(again).rejects.toBeInstanceOf(errors.InvalidRequestUri);
    await expect(again).rejects.toMatchObject({ error: 'invalid_request_uri' });
  });

  it('of rows consumed at once, refuses only those claimed already', async () => {
    const tokens = await stored('RefreshToken', 'claim-rt-1', 'claim-rt-2', 'claim-rt-3', 'claim-rt-4');
    await tokens.consume('claim-rt-3');
    // Distinct rows in one turn: one multi-row statement on SQLite, whose RETURNING tells them apart.
    const outcomes = await Promise.allSettled(['claim-rt-1', 'claim-rt-2', 'claim-rt-3', 'claim-rt-4', 'claim-rt-1'].map((id) => tokens.consume(id)));
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ReusedGrant);
  });

  it('answers a request whose claim is refused by its end, and keeps none of its other rows', async () => {
    const tokens = await stored('RefreshToken', 'claim-rt-used');
    await tokens.consume('claim-rt-used');
    const failures: unknown[] = [];
    const thrown: unknown[] = [];
    const ctx = { method: 'POST', path: '/token' } as Context;
    await holdWrites(['/token'], (_ctx, err) => void failures.push(err))(ctx, (async () => {
      try {
        await tokens.consume('claim-rt-used');
        // The claim is only queued (on PostgreSQL kept until the request is handled): the request
        // goes on and writes its new token.
        await tokens.upsert('claim-rt-successor', { jti: 'claim-rt-successor', clientId: 'app', grantId: 'grant-of-claim-rt-used', iat: now(), exp: now() + 60 }, 60);
      } catch (err) {
        thrown.push(err);
      }
    }) as Next);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(ReusedGrant);
    expect(thrown).toHaveLength(0);
    expect(await tokens.find('claim-rt-successor')).toBeUndefined();
  });
});
