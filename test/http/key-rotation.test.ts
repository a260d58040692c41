// Signing key rotation with several servers on one database. Servers read the keys when they start,
// so a rotation is staged: the prepared key is published by every server restarted after `prepare`,
// and after `rotate` a restarted server signs with it. A token signed by a server restarted after
// the rotation verifies with the keys published by a server restarted only after `prepare`.
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exchange, registerRelyingParty, signInWithPin, startAuthorization } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { createTestDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('staged signing key rotation across servers', () => {
  let dir: string;
  let db: TestDatabase;
  let smtp: SmtpCapture;
  const servers: TestServer[] = [];
  let env: Record<string, string>;

  const start = async () => {
    const server = await startTestServer({ dir, databaseUrl: db.url, env });
    servers.push(server);
    return server;
  };
  const publishedAll = async (server: TestServer) => ((await (await fetch(`${server.url}/jwks`)).json()) as { keys: Array<JsonWebKey & { kid: string; alg: string }> }).keys;
  /** The RS256 keys (ES256 keys rotate alongside: checked at the end). */
  const published = async (server: TestServer) => (await publishedAll(server)).filter((k) => k.alg === 'RS256');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-keys-'));
    db = await createTestDatabase(dir);
    smtp = new SmtpCapture();
    // Every server of one deployment shares the master key.
    env = { SMTP_URL: await smtp.start(), SECRET_KEY: randomBytes(32).toString('base64') };
  });

  afterAll(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    await smtp?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the prepared key before any server signs with it', async () => {
    const first = await start();
    const [oldKey] = await first.app.services.keys.jwks();
    const { kid: nextKid, kids: nextKids } = await first.app.services.keys.prepare();

    // Restarted after prepare: publishes both keys, still signs with the old one.
    const second = await start();
    expect((await published(second)).map((k) => k.kid)).toEqual([oldKey!.kid, nextKid]);
    // A server that has not restarted does not know the prepared key yet.
    expect((await published(first)).map((k) => k.kid)).toEqual([oldKey!.kid]);

    const oldEs = (await publishedAll(first)).find((k) => k.alg === 'ES256')!;
    const rotation = await second.app.services.keys.rotate();
    expect(rotation).toEqual({ kid: nextKid, kids: nextKids, retired: expect.arrayContaining([oldKey!.kid, oldEs.kid]), staged: true });
    expect(rotation.retired).toHaveLength(2);

    // Restarted after the rotation: signs with the prepared key, and still publishes the old one.
    const third = await start();
    expect((await published(third)).map((k) => k.kid)).toEqual([nextKid, oldKey!.kid]);
    await third.app.services.users.create({ username: 'kim', email: 'kim@example.com', password: 'kim password 1' });
    const rp = await registerRelyingParty(third);
    const auth = await startAuthorization(rp);
    const seen = smtp.messages.length;
    const callback = await signInWithPin(new UserAgent(), auth, 'kim', 'kim password 1', async () => pinFrom((await smtp.next('kim@example.com', seen)).raw));
    const idToken = (await exchange(rp, auth, callback)).id_token!;
    const [header, payload, signature] = idToken.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString()).kid).toBe(nextKid);

    // The server restarted only after prepare verifies it with what it publishes.
    const key = (await published(second)).find((k) => k.kid === nextKid)!;
    const valid = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey({ key, format: 'jwk' }), Buffer.from(signature!, 'base64url'));
    expect(valid).toBe(true);
    // And a token signature does not verify with the old key (the check above can fail).
    const old = (await published(second)).find((k) => k.kid === oldKey!.kid)!;
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey({ key: old, format: 'jwk' }), Buffer.from(signature!, 'base64url'))).toBe(false);
    // The ES256 key rotated with it: the prepared one signs first, the old one stays published.
    expect((await publishedAll(third)).filter((k) => k.alg === 'ES256').map((k) => k.kid)).toEqual([nextKids.ES256, oldEs.kid]);
  });
});
