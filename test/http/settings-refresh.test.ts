// A setting changed through one server process reaches another on the same database within
// SETTINGS_REFRESH_MS, without a restart.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SETTINGS_REFRESH_MS } from '../../src/settings/settings.service.js';
import { createTestDatabase, startTestServer, type TestDatabase, type TestServer } from '../support/test-server.js';

describe('settings across processes', () => {
  let dir: string;
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-settings-'));
    db = await createTestDatabase(dir);
    const env = { SECRET_KEY: randomBytes(32).toString('base64') };
    a = await startTestServer({ dir, databaseUrl: db.url, env });
    b = await startTestServer({ dir, databaseUrl: db.url, env });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a lockout threshold changed elsewhere within the refresh interval', async () => {
    const before = b.app.services.settings.values()['lockout.threshold'];
    const wanted = before === 3 ? 4 : 3;
    await a.app.services.settings.update({ 'lockout.threshold': wanted }, { actor: 'test' });
    expect(a.config.lockout.threshold).toBe(wanted);
    const changedAt = Date.now();
    while (b.config.lockout.threshold !== wanted && Date.now() - changedAt < 3 * SETTINGS_REFRESH_MS) await new Promise((r) => setTimeout(r, 100));
    expect(b.config.lockout.threshold).toBe(wanted);
    expect(Date.now() - changedAt).toBeLessThanOrEqual(SETTINGS_REFRESH_MS + 2000);
  }, 30_000);
});
