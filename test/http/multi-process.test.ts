// Two server processes on one database: a sign-in started on one finishes on the other, which
// proves that every piece of flow state lives in the database. That is the PostgreSQL deployment;
// on SQLite one server process serves the file (it keeps the interactions it wrote in memory), and
// the test still runs there because each step below is served whole by one process.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/config.js';
import { createViews } from '../../src/http/views.js';
import { openDatabase } from '../../src/persistence/data-source.js';
import { createServices } from '../../src/services.js';
import { REDIRECT_URI } from '../support/relying-party.js';
import { freePort, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { createTestDatabase, type TestDatabase } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe('two processes, one database', () => {
  let dir: string;
  let db: TestDatabase;
  let smtp: SmtpCapture;
  let a: ServerProcess;
  let b: ServerProcess;
  let issuer: string;
  let clientSecret: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-multi-'));
    db = await createTestDatabase(dir);
    smtp = new SmtpCapture();
    const [portA, portB] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${portA}`;
    const env = {
      NODE_ENV: 'test',
      DATA_DIR: dir,
      DATABASE_URL: db.url,
      SECRET_KEY: randomBytes(32).toString('base64'),
      ISSUER: issuer,
      SMTP_URL: await smtp.start(),
      LOG_LEVEL: 'silent',
      DEMO: 'false',
      REQUIRE_SOFT_TOKEN: 'false',
    };
    // Both start at once against an empty database: migrations and first-start secrets must not clash.
    [a, b] = await Promise.all([startServerProcess(env, portA), startServerProcess(env, portB)]);
    const config = loadConfig(env);
    const ds = await openDatabase(config.database);
    const s = await createServices(config, ds, createViews());
    await s.users.create({ username: 'mia', email: 'mia@example.com', password: 'mia password 1' });
    ({ clientSecret } = (await s.clients.add({ clientId: 'multi', redirectUris: [REDIRECT_URI] })) as { clientSecret: string });
    await s.close();
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await smtp?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the sign-in on A, finishes it on B, exchanges the code at A', async () => {
    const toB = (url: string) => url.replace(a.url, b.url);
    const config = await oidc.discovery(new URL(issuer), 'multi', undefined, oidc.ClientSecretBasic(clientSecret), { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });
    // One browser; cookies for A's host are sent to B as well (as behind one load balancer).
    const agent = new UserAgent({ [new URL(b.url).host]: new URL(a.url).host });
    const login = await agent.follow(await agent.get(url.href));
    const seen = smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'mia', password: 'mia password 1' }));
    expect(pinPage.html).toContain('name="pin"');
    const pin = pinFrom((await smtp.next('mia@example.com', seen)).raw);

    const onB = await agent.get(toB(pinPage.url));
    expect(onB.html).toContain('name="pin"');
    let next = await agent.submit(onB, '/step/pin', { action: 'verify', pin });
    for (let i = 0; i < 10 && next.location && !next.location.startsWith(REDIRECT_URI); i++) {
      next = await agent.get(toB(new URL(next.location, b.url).href));
    }
    expect(next.location?.startsWith(REDIRECT_URI)).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(next.location!), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state });
    expect(tokens.claims()!.amr).toEqual(['pwd', 'mail', 'mfa']);
    expect(tokens.claims()!.email).toBe('mia@example.com');
  });
});
