// The softtoken app run in-process: usage, PIN handling and the vault, identities, QR images
// (activation against the stand-in server: softtoken-activation-cli.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { qrPayload } from '../../src/tokens/activation-crypto.js';
import { totpCode } from '../../src/tokens/totp.js';
import { decodeQrPng } from '../../src/softtoken/qr-image.js';
import { Vault } from '../../src/softtoken/vault.js';
import { DUPLICATE, LOCKED, NOW, PIN, softtokenCli } from '../support/softtoken-cli.js';

const cli = softtokenCli();
const { st, codeJson } = cli;

describe('softtoken usage', () => {
  it.each([
    [[]],
    [['frob']],
    [['--bogus', 'list']],
    [['list', '--yes']],
    [['code']],
    [['rename', 'a']],
    [['activate', '--name', 'x']],
    [['activate', '--link', 'u', '--qr', 'q', '--password', '1', '--name', 'x']],
    [['activate', '--qr', 'q', '--name', 'x']],
    [['activate', '--link', 'u']],
    [['activate', '--address', 'a', '--serial', '1', '--name', 'x']],
  ])('%j is a usage error (exit 2, usage on stderr)', async (argv) => {
    const r = await st(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: softtoken');
    expect(r.out).toBe('');
  });

  it('prints help on stdout', async () => {
    const r = await st(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('reinitialize');
  });
});

describe('softtoken PIN and vault', () => {
  it('asks a new PIN twice at a terminal and refuses a mismatch', async () => {
    const bad = await st(['list'], { pin: null, interactive: true, input: ['4821', '4822'] });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('The two PINs are not the same');
    expect(await Vault.state(cli.vaultFile)).toBe('missing');

    const good = await st(['list'], { pin: null, interactive: true, input: ['4821', '4821'] });
    expect(good.code).toBe(0);
    expect(good.io.prompts).toHaveLength(2);
    expect((await st(['list'], { pin: '4821' })).code).toBe(0);
  });

  it('takes the PIN from the first line of piped stdin without confirmation, and refuses a short PIN', async () => {
    expect((await st(['list'], { pin: null, input: ['12'] })).err).toContain('at least 4 digits');
    const r = await st(['list', '--json'], { pin: null, input: ['97531'] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ identities: [] });
    expect(r.io.prompts).toHaveLength(1);
    expect((await st(['list'], { pin: '97531' })).code).toBe(0);
    expect((await st(['list'], { pin: null, input: [] })).err).toContain('A PIN is needed');
  });

  it('locks after 5 wrong PINs; then only reinitialize works, and a new PIN opens an empty vault', async () => {
    const link = cli.standIn.issue();
    expect((await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=${link.linkTicket}`, '--name', 'laptop'])).code).toBe(0);
    for (let left = 4; left >= 1; left--) {
      const r = await st(['list'], { pin: '0000' });
      expect(r.code).toBe(1);
      expect(r.err).toBe(`The PIN is incorrect. ${left} tries left before the vault locks.`);
    }
    expect((await st(['list'], { pin: '0000' })).err).toBe(LOCKED);

    const before = cli.standIn.requests;
    const fresh = cli.standIn.issue();
    for (const argv of [['list'], ['code', 'laptop'], ['rename', 'laptop', 'x'], ['delete', 'laptop'], ['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=${fresh.linkTicket}`, '--name', 'y']]) {
      const r = await st(argv);
      expect([r.code, r.err]).toEqual([1, LOCKED]);
    }
    expect(cli.standIn.requests).toBe(before);

    const cancelled = await st(['reinitialize'], { input: ['no'] });
    expect(cancelled.code).toBe(1);
    expect((await st(['list'])).err).toBe(LOCKED);

    expect((await st(['reinitialize'], { input: ['yes'] })).code).toBe(0);
    const after = await st(['list', '--json'], { pin: '2468' });
    expect(after.code).toBe(0);
    expect(JSON.parse(after.out)).toEqual({ identities: [] });
  });

  it('reinitialize --yes wipes every identity', async () => {
    const a = cli.standIn.issue();
    await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', 'laptop']);
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toHaveLength(1);
    const r = await st(['reinitialize', '--yes'], { pin: null });
    expect(r.code).toBe(0);
    expect(await Vault.state(cli.vaultFile)).toBe('missing');
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toEqual([]);
  });

  it('shows the RFC 6238 code at a fixed time, with the seconds left', async () => {
    const vault = await Vault.create(cli.vaultFile, PIN);
    const secret = Buffer.from('12345678901234567890');
    await vault.add({ name: 'rfc', serial: '1000000001', address: 'https://idp.example', secret: secret.toString('base64'), algorithm: 'SHA1', digits: 8, period: 30, createdAt: '' });
    const r = await st(['code', 'rfc'], { now: 59_000 });
    expect(r.out).toBe('94287082 (1 s left)');
    const at = 1_111_111_109_000;
    expect(await codeJson('rfc', at)).toMatchObject({ code: '07081804', secondsLeft: 1 });
    expect((await codeJson('rfc', NOW)).code).toBe(totpCode(secret, { algorithm: 'SHA1', digits: 8, period: 30 }, NOW));
    expect((await st(['code', 'nope'])).err).toBe('There is no identity named "nope".');
  });

  it('renames and deletes identities, refusing a taken name', async () => {
    for (const name of ['laptop', 'desk']) {
      const a = cli.standIn.issue();
      await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', name]);
    }
    const codeBefore = (await codeJson('laptop')).code;
    expect((await st(['rename', 'laptop', 'desk'])).err).toBe(DUPLICATE);
    expect((await st(['rename', 'laptop', 'work'])).code).toBe(0);
    expect((await codeJson('work')).code).toBe(codeBefore);
    expect((await st(['delete', 'desk'])).code).toBe(0);
    expect((await st(['delete', 'desk'])).code).toBe(1);
    expect(JSON.parse((await st(['list', '--json'])).out).identities.map((i: { name: string }) => i.name)).toEqual(['work']);
  });
});

describe('softtoken QR images', () => {
  it('decodes the payload from a PNG made by the qrcode package', async () => {
    const payload = qrPayload('https://idp.example/base', 'AbC-123_xyz');
    expect(decodeQrPng(await QRCode.toBuffer(payload, { type: 'png', margin: 2, width: 240 }))).toBe(payload);
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(decodeQrPng(PNG.sync.write(blank))).toBeNull();
    expect(decodeQrPng(Buffer.from('not a png'))).toBeNull();
  });

  it('says so when a PNG holds no QR code or the QR is not an activation', async () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    const file = join(cli.dir, 'blank.png');
    writeFileSync(file, PNG.sync.write(blank));
    expect((await st(['activate', '--qr', file, '--password', '12345678', '--name', 'x'])).err).toBe(`No QR code could be read from ${file}.`);
    const other = join(cli.dir, 'other.png');
    await QRCode.toFile(other, 'https://example.com/not-an-activation');
    expect((await st(['activate', '--qr', other, '--password', '12345678', '--name', 'x'])).err).toBe('This QR code does not hold a soft token activation.');
  });
});
