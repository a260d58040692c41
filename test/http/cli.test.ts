// The operator command line, in-process against a real database and once as a real process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig } from '../../src/config/config.js';
import { createViews } from '../../src/http/views.js';
import { openDatabase } from '../../src/persistence/data-source.js';
import { createServices, type Services } from '../../src/services.js';
import { projectRoot } from '../../src/support/project-root.js';
import { createTestDatabase, type TestDatabase, testEnv } from '../support/test-server.js';

describe('idp command line', () => {
  let dir: string;
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-cli-'));
    db = await createTestDatabase(dir);
    env = testEnv(dir, db.url);
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], stdin = '') {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { stdin: async () => stdin, out: (t) => out.push(t), err: (t) => err.push(t) }, env);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function inspect<T>(fn: (s: Services) => Promise<T>): Promise<T> {
    const config = loadConfig(env);
    const ds = await openDatabase(config.database);
    const s = await createServices(config, ds, createViews());
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  it('adds a user with the password from standard input, who can then sign in and must replace it', async () => {
    const r = await run(['user', 'add', '--username', 'alice', '--email', 'alice@example.com', '--role', 'superadmin', '--json'], 'alice long password\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ username: 'alice', role: 'superadmin' });
    const user = await inspect((s) => s.passwordLogin.authenticate('alice', 'alice long password', { ip: '127.0.0.9' }));
    expect(user.email).toBe('alice@example.com');
    // Whoever typed it is not the user: the password is temporary.
    expect(user.temporaryPasswordUntil).toBeGreaterThan(Date.now());
    const audit = await inspect((s) => s.audit.list({ subject: user.id, type: 'user.created' }));
    expect(audit[0]?.actor).toBe('cli');
  });

  it('generates a password once, lists and unlocks', async () => {
    const r = await run(['user', 'add', '--username', 'bob', '--email', 'bob@example.com', '--generate-password', '--json']);
    const { password } = JSON.parse(r.out) as { password: string };
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const refused = await run(['user', 'add', '--username', 'weak', '--email', 'weak@example.com'], 'iloveyou1\n');
    expect([refused.code, refused.err]).toEqual([1, expect.stringContaining('most commonly used')]);
    expect(await inspect((s) => s.users.findByLogin('weak'))).toBeNull();
    const bob = await inspect(async (s) => {
      const u = (await s.users.findByLogin('bob'))!;
      for (let i = 0; i < s.config.lockout.threshold; i++) await s.lockout.recordFailure(u.id);
      return u;
    });
    const listed = JSON.parse((await run(['user', 'list', '--json'])).out) as Array<{ username: string; locked: boolean }>;
    expect(listed.find((u) => u.username === 'bob')?.locked).toBe(true);
    expect((await run(['user', 'unlock', 'bob'])).code).toBe(0);
    const after = await inspect((s) => s.users.findById(bob.id));
    expect(after?.lockedAt).toBeNull();
  });

  it('adds confidential, public and service clients and lists them', async () => {
    const conf = JSON.parse((await run(['client', 'add', '--id', 'shop', '--redirect-uri', 'https://shop.example.com/cb', '--json'])).out) as { clientSecret: string };
    expect(conf.clientSecret.length).toBeGreaterThan(30);
    const pub = JSON.parse((await run(['client', 'add', '--id', 'spa', '--redirect-uri', 'https://spa.example.com/cb', '--public', '--json'])).out) as { clientSecret?: string };
    expect(pub.clientSecret).toBeUndefined();
    expect((await run(['client', 'add-service', '--id', 'ops', '--role', 'helpdesk'])).code).toBe(0);
    const list = JSON.parse((await run(['client', 'list', '--json'])).out) as Array<{ clientId: string; public: boolean; serviceAccount: boolean }>;
    expect(list.map((c) => [c.clientId, c.public, c.serviceAccount])).toEqual(expect.arrayContaining([['shop', false, false], ['spa', true, false], ['ops', false, true]]));
  });

  it('rotates keys: the old key stays published, a new one signs', async () => {
    const first = JSON.parse((await run(['keys', 'rotate', '--json'])).out) as { kid: string; kids: { RS256: string; ES256: string } };
    const second = JSON.parse((await run(['keys', 'rotate', '--json'])).out) as { kid: string; retired: string[] };
    // Both algorithms rotate: RS256 (the default) and ES256.
    expect(second.retired.sort()).toEqual([first.kids.RS256, first.kids.ES256].sort());
    expect(first.kid).toBe(first.kids.RS256);
    const jwks = await inspect((s) => s.keys.jwks());
    expect(jwks.map((k) => k.kid)).toEqual([second.kid, ...jwks.slice(1).map((k) => k.kid)]);
    expect(jwks.map((k) => k.kid)).toContain(first.kid);
  });

  it('stages a rotation: a prepared key is published but signs only after rotate', async () => {
    const signing = async () => (await inspect((s) => s.keys.jwks())).map((k) => k.kid);
    const [before] = await signing();
    const prepared = JSON.parse((await run(['keys', 'prepare', '--json'])).out) as { kid: string; kids: { RS256: string; ES256: string }; created: boolean };
    expect(prepared.created).toBe(true);
    // Preparing again keeps the same next key.
    expect(JSON.parse((await run(['keys', 'prepare', '--json'])).out)).toEqual({ kid: prepared.kid, kids: prepared.kids, created: false });
    const published = await signing();
    expect(published[0]).toBe(before);
    expect(published).toContain(prepared.kid);
    const rotated = JSON.parse((await run(['keys', 'rotate', '--json'])).out) as unknown;
    expect(rotated).toEqual({ kid: prepared.kid, kids: prepared.kids, retired: expect.arrayContaining([before]), staged: true });
    const after = await signing();
    expect(after[0]).toBe(prepared.kid);
    expect(after).toContain(before);
    const status = JSON.parse((await run(['keys', 'list', '--json'])).out) as Array<{ kid: string; status: string }>;
    expect(status.filter((k) => [prepared.kid, before].includes(k.kid)).map((k) => [k.kid, k.status])).toEqual([
      [prepared.kid, 'active'],
      [before, 'retired'],
    ]);
    // The next rotation without a prepared key makes a new key at once.
    const unstaged = JSON.parse((await run(['keys', 'rotate', '--json'])).out) as { kid: string; staged: boolean };
    expect(unstaged.staged).toBe(false);
    expect(unstaged.kid).not.toBe(prepared.kid);
  });

  it('registers an API and a machine client with protocol requirements', async () => {
    const api = await run(['resource', 'add', '--identifier', 'https://api.example.com', '--name', 'API', '--scope', 'read write', '--format', 'opaque', '--json']);
    expect(api.code).toBe(0);
    expect(JSON.parse(api.out)).toMatchObject({ identifier: 'https://api.example.com', scopes: ['read', 'write'], tokenFormat: 'opaque', clientSecret: expect.any(String) });
    expect((await run(['resource', 'update', '--identifier', 'https://api.example.com', '--ttl', '120'])).code).toBe(0);
    expect(JSON.parse((await run(['resource', 'list', '--json'])).out)).toEqual([expect.objectContaining({ accessTokenTtl: 120 })]);
    const added = await run(['client', 'add', '--id', 'robot', '--grant', 'client_credentials', '--require-dpop', '--json']);
    expect(added.code).toBe(0);
    expect((await run(['client', 'update', '--id', 'robot', '--require-par', 'yes', '--id-token-alg', 'ES256'])).code).toBe(0);
    const robot = (await inspect((s) => s.clients.list())).find((c) => c.clientId === 'robot')!;
    expect(robot).toMatchObject({ grantTypes: ['client_credentials'], requireDpop: true, requirePar: true, idTokenSigningAlg: 'ES256' });
    expect((await run(['resource', 'delete', '--identifier', 'https://api.example.com'])).code).toBe(0);
    expect((await run(['resource', 'list'])).out).toBe('No APIs.');
  });

  it.each([
    [[]],
    [['keys', 'nope']],
    [['resource', 'add', '--name', 'x']],
    [['client', 'update', '--id', 'robot', '--require-par', 'maybe']],
    [['nope']],
    [['user', 'add', '--email', 'x@example.com']],
    [['user', 'add', '--username', 'x', '--email', 'x@example.com', '--bogus']],
    [['user', 'unlock']],
    [['client', 'add', '--id', 'noredirect']],
    [['client', 'frobnicate']],
    [['keys', 'rotate', 'extra']],
  ])('refuses bad usage %j with exit code 2 and writes nothing', async (argv) => {
    const before = await inspect(async (s) => [(await s.users.list()).length, (await s.clients.list()).length]);
    const r = await run(argv, 'some password\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: idp');
    expect(await inspect(async (s) => [(await s.users.list()).length, (await s.clients.list()).length])).toEqual(before);
  });

  it.each([
    [['user', 'add', '--username', 'alice', '--email', 'other@example.com'], 'already exists'],
    [['user', 'add', '--username', 'carol', '--email', 'not-an-email'], 'Invalid email'],
    [['user', 'add', '--username', 'carol', '--email', 'carol@example.com', '--mobile', '555'], 'Invalid mobile'],
    [['client', 'add', '--id', 'bad', '--redirect-uri', 'ftp://x'], 'Invalid client'],
  ])('reports a refused %j with exit code 1', async (argv, text) => {
    const r = await run(argv, 'carol long password\n');
    expect(r.code).toBe(1);
    expect(r.err).toContain(text);
  });

  it('works as a real process with a piped password', () => {
    const res = spawnSync(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/idp.ts', 'user', 'add', '--username', 'dave', '--email', 'dave@example.com', '--json'], {
      cwd: projectRoot,
      env: { ...process.env, ...env, PATH: `${join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}` },
      input: 'dave long password\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ username: 'dave' });
    const bad = spawnSync(join(projectRoot, 'node_modules/.bin/tsx'), ['src/cli/idp.ts', 'user', 'add'], {
      cwd: projectRoot,
      env: { ...process.env, ...env, PATH: `${join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}` },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(bad.status).toBe(2);
  });
});
