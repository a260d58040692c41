// The softtoken app's vault: encryption at rest under the PIN, the wrong-PIN limit, atomic writes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../src/errors/app-error.js';
import { MAX_WRONG_PINS, Vault, type Identity } from '../../src/softtoken/vault.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'softtoken-vault-'));
  file = join(dir, 'nested', 'vault.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function identity(name: string, secret = randomBytes(20)): Identity {
  return { name, serial: '1234567890', address: 'https://idp.example', secret: secret.toString('base64'), algorithm: 'SHA1', digits: 6, period: 30, createdAt: '2025-01-01T00:00:00.000Z' };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('softtoken vault', () => {
  it('round-trips identities under the PIN', async () => {
    expect(await Vault.state(file)).toBe('missing');
    const vault = await Vault.create(file, '4821');
    await vault.add(identity('laptop'));
    await vault.add(identity('desk'));

    const again = await Vault.open(file, '4821');
    expect(again.identities.map((i) => i.name)).toEqual(['laptop', 'desk']);
    expect(again.get('laptop')).toEqual(vault.get('laptop'));
    expect(await Vault.state(file)).toBe('ready');
  });

  it('keeps no secret, serial or name in clear, writes mode 0600 and leaves no temporary file', async () => {
    const secret = randomBytes(20);
    const vault = await Vault.create(file, '4821');
    await vault.add(identity('my-laptop', secret));
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret.toString('base64'));
    expect(text).not.toContain(secret.toString('hex'));
    expect(text).not.toContain('my-laptop');
    expect(text).not.toContain('1234567890');
    expect(JSON.parse(text).kdf).toMatchObject({ name: 'scrypt', N: 2 ** 15, r: 8, p: 1 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['vault.json']);
  });

  it('refuses PINs shorter than 4 digits or not digits', async () => {
    expect(await codeOf(Vault.create(file, '123'))).toBe('softtoken.pin_invalid');
    expect(await codeOf(Vault.create(file, '12a4'))).toBe('softtoken.pin_invalid');
    expect(await Vault.state(file)).toBe('missing');
  });

  it('counts wrong PINs, resets the count on the right PIN, and locks after the limit', async () => {
    await (await Vault.create(file, '4821')).add(identity('laptop'));
    const wrongPins = () => JSON.parse(readFileSync(file, 'utf8')).wrongPins as number;

    expect(await codeOf(Vault.open(file, '0000'))).toBe('softtoken.wrong_pin');
    expect(await codeOf(Vault.open(file, '0001'))).toBe('softtoken.wrong_pin');
    expect(wrongPins()).toBe(2);
    expect((await Vault.open(file, '4821')).identities).toHaveLength(1);
    expect(wrongPins()).toBe(0);

    for (let i = 1; i < MAX_WRONG_PINS; i++) expect(await codeOf(Vault.open(file, '9999'))).toBe('softtoken.wrong_pin');
    expect(await codeOf(Vault.open(file, '9999'))).toBe('softtoken.vault_locked');
    expect(await Vault.state(file)).toBe('locked');
    // Locked for good: even the right PIN is refused.
    expect(await codeOf(Vault.open(file, '4821'))).toBe('softtoken.vault_locked');

    await Vault.wipe(file);
    expect(await Vault.state(file)).toBe('missing');
    expect((await Vault.create(file, '7777')).identities).toEqual([]);
  });

  it('tells how many tries are left', async () => {
    await Vault.create(file, '4821');
    const err = await Vault.open(file, '1111').catch((e: AppError) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).params).toEqual({ left: MAX_WRONG_PINS - 1 });
  });

  it('refuses a duplicate name, renames and deletes', async () => {
    const vault = await Vault.create(file, '4821');
    await vault.add(identity('laptop'));
    await vault.add(identity('phone'));
    expect(await codeOf(vault.add(identity('laptop')))).toBe('softtoken.name_taken');
    expect(await codeOf(vault.rename('laptop', 'phone'))).toBe('softtoken.name_taken');
    expect(await codeOf(vault.rename('nope', 'other'))).toBe('softtoken.not_found');

    const secret = vault.get('laptop').secret;
    await vault.rename('laptop', 'work');
    await vault.remove('phone');
    expect(await codeOf(vault.remove('phone'))).toBe('softtoken.not_found');

    const reopened = await Vault.open(file, '4821');
    expect(reopened.identities.map((i) => i.name)).toEqual(['work']);
    expect(reopened.get('work').secret).toBe(secret);
  });

  it('rejects a tampered header or a damaged file instead of decrypting', async () => {
    await (await Vault.create(file, '4821')).add(identity('laptop'));
    const original = JSON.parse(readFileSync(file, 'utf8'));

    // A lowered work factor would change the key; the header is authenticated as well.
    writeFileSync(file, JSON.stringify({ ...original, kdf: { ...original.kdf, N: 2 ** 14 } }));
    expect(await codeOf(Vault.open(file, '4821'))).toBe('softtoken.wrong_pin');

    writeFileSync(file, JSON.stringify({ ...original, kdf: { ...original.kdf, N: 2 ** 4 } }));
    expect(await codeOf(Vault.open(file, '4821'))).toBe('softtoken.vault_corrupt');

    writeFileSync(file, 'not json');
    expect(await codeOf(Vault.state(file))).toBe('softtoken.vault_corrupt');
  });
});
