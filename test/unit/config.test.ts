// The argon2id cost: OWASP's first configuration by default, and nothing weaker than one of OWASP's
// equivalent configurations accepted.
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const argon2 = (memory?: string, time?: string) => loadConfig({ NODE_ENV: 'test', ARGON2_MEMORY_KIB: memory, ARGON2_TIME_COST: time }).argon2;

describe('argon2 configuration', () => {
  it("defaults to OWASP's first configuration: 46 MiB, one pass, one lane", () => {
    expect(argon2()).toEqual({ memoryCost: 47104, timeCost: 1, parallelism: 1 });
  });

  it.each([
    ['19456', '2'],
    ['12288', '3'],
    ['7168', '5'],
    ['65536', '3'],
  ])('accepts %s KiB with %s passes', (memory, time) => {
    expect(argon2(memory, time)).toEqual({ memoryCost: Number(memory), timeCost: Number(time), parallelism: 1 });
  });

  it.each([
    ['19456', '1'],
    ['12288', '2'],
    ['9216', '3'],
    ['47103', '1'],
  ])('refuses %s KiB with %s passes, naming the settings that would do', (memory, time) => {
    expect(() => argon2(memory, time)).toThrow(ConfigError);
    expect(() => argon2(memory, time)).toThrow(/ARGON2_MEMORY_KIB: with ARGON2_TIME_COST is weaker than OWASP's minimum \(at least one of 47104 KiB × 1, 19456 KiB × 2/);
  });

  it.each([['4096', '8'], ['2097152', '1'], ['47104', '0'], ['lots', '1']])('refuses %s KiB with %s passes as out of range', (memory, time) => {
    expect(() => argon2(memory, time)).toThrow(ConfigError);
  });
});

describe('SQLite durability configuration', () => {
  const database = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'sqlite:/tmp/x.sqlite', ...env }).database;

  it('syncs every commit unless SQLITE_SYNCHRONOUS says normal; anything else is refused', () => {
    expect(database({})).toEqual({ type: 'sqlite', path: '/tmp/x.sqlite', synchronous: 'full' });
    expect(database({ SQLITE_SYNCHRONOUS: 'normal' })).toEqual({ type: 'sqlite', path: '/tmp/x.sqlite', synchronous: 'normal' });
    expect(() => database({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/SQLITE_SYNCHRONOUS/);
  });

  it('waits 10 s for a lock before the database counts as away, unless SQLITE_BUSY_TIMEOUT says otherwise', () => {
    expect(database({ SQLITE_BUSY_TIMEOUT: '3000' })).toEqual({ type: 'sqlite', path: '/tmp/x.sqlite', synchronous: 'full', busyTimeoutMs: 3000 });
    expect(() => database({ SQLITE_BUSY_TIMEOUT: 'soon' })).toThrow(/SQLITE_BUSY_TIMEOUT/);
    expect(() => database({ SQLITE_BUSY_TIMEOUT: '10' })).toThrow(/SQLITE_BUSY_TIMEOUT/);
  });
});
