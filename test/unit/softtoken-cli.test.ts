// The softtoken app run in-process: commands, PIN handling, QR images, and activation against a
// stand-in server that implements the other side of the contract with the shared crypto.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { ACTIVATION_ERRORS, type ActivationErrorCode, groupDigits, qrPayload, registrationCode } from '../../src/tokens/activation-crypto.js';
import { totpCode } from '../../src/tokens/totp.js';
import { decodeQrPng } from '../../src/softtoken/qr-image.js';
import { runSofttoken } from '../../src/softtoken/softtoken-app.js';
import { Vault } from '../../src/softtoken/vault.js';
import { type ActivationStandIn, errorMessage, startActivationStandIn } from '../support/activation-stand-in.js';
import { scriptedIo } from '../support/scripted-io.js';

const PIN = '4821';
const NOW = 1_760_000_012_345;
const LOCKED = 'The vault is locked after too many wrong PINs. Run reinitialize to start again; all identities will be lost.';
const DUPLICATE = 'An identity with the specified name already exists.';

let dir: string;
let vaultFile: string;
let standIn: ActivationStandIn;

beforeAll(async () => {
  standIn = await startActivationStandIn();
});
afterAll(() => standIn.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'softtoken-cli-'));
  vaultFile = join(dir, 'vault.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one command with the PIN from SOFTTOKEN_PIN (or `input` lines when pin is null). */
async function st(argv: string[], options: { pin?: string | null; input?: string[]; interactive?: boolean; now?: number } = {}) {
  const io = scriptedIo(options.input ?? [], { interactive: options.interactive, now: options.now ?? NOW });
  const pin = options.pin === undefined ? PIN : options.pin;
  const env = { SOFTTOKEN_VAULT: vaultFile, HOME: dir, ...(pin !== null ? { SOFTTOKEN_PIN: pin } : {}) };
  const code = await runSofttoken(argv, io, env);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), io };
}

async function codeJson(name: string, now = NOW) {
  const r = await st(['code', name, '--json'], { now });
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as { code: string; secondsLeft: number };
}

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
    expect(await Vault.state(vaultFile)).toBe('missing');

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
    const link = standIn.issue();
    expect((await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=${link.linkTicket}`, '--name', 'laptop'])).code).toBe(0);
    for (let left = 4; left >= 1; left--) {
      const r = await st(['list'], { pin: '0000' });
      expect(r.code).toBe(1);
      expect(r.err).toBe(`The PIN is incorrect. ${left} tries left before the vault locks.`);
    }
    expect((await st(['list'], { pin: '0000' })).err).toBe(LOCKED);

    const before = standIn.requests;
    const fresh = standIn.issue();
    for (const argv of [['list'], ['code', 'laptop'], ['rename', 'laptop', 'x'], ['delete', 'laptop'], ['activate', '--link', `${standIn.url}/softtoken/activate?ticket=${fresh.linkTicket}`, '--name', 'y']]) {
      const r = await st(argv);
      expect([r.code, r.err]).toEqual([1, LOCKED]);
    }
    expect(standIn.requests).toBe(before);

    const cancelled = await st(['reinitialize'], { input: ['no'] });
    expect(cancelled.code).toBe(1);
    expect((await st(['list'])).err).toBe(LOCKED);

    expect((await st(['reinitialize'], { input: ['yes'] })).code).toBe(0);
    const after = await st(['list', '--json'], { pin: '2468' });
    expect(after.code).toBe(0);
    expect(JSON.parse(after.out)).toEqual({ identities: [] });
  });

  it('reinitialize --yes wipes every identity', async () => {
    const a = standIn.issue();
    await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', 'laptop']);
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toHaveLength(1);
    const r = await st(['reinitialize', '--yes'], { pin: null });
    expect(r.code).toBe(0);
    expect(await Vault.state(vaultFile)).toBe('missing');
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toEqual([]);
  });

  it('shows the RFC 6238 code at a fixed time, with the seconds left', async () => {
    const vault = await Vault.create(vaultFile, PIN);
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
      const a = standIn.issue();
      await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', name]);
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
    const file = join(dir, 'blank.png');
    writeFileSync(file, PNG.sync.write(blank));
    expect((await st(['activate', '--qr', file, '--password', '12345678', '--name', 'x'])).err).toBe(`No QR code could be read from ${file}.`);
    const other = join(dir, 'other.png');
    await QRCode.toFile(other, 'https://example.com/not-an-activation');
    expect((await st(['activate', '--qr', other, '--password', '12345678', '--name', 'x'])).err).toBe('This QR code does not hold a soft token activation.');
  });
});

describe('softtoken activation against a stand-in server', () => {
  it('activates from the e-mailed link; both sides derive the same secret', async () => {
    const a = standIn.issue();
    const r = await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', 'laptop']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain(`serial ${a.serial}`);
    expect(r.out).not.toContain('Registration code');
    expect((await codeJson('laptop')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA1', digits: 6, period: 30 }, NOW));
    expect(readFileSync(vaultFile, 'utf8')).not.toContain(a.secret!.toString('base64'));
    const listed = JSON.parse((await st(['list', '--json'])).out).identities;
    expect(listed).toEqual([expect.objectContaining({ name: 'laptop', serial: a.serial, address: standIn.url, digits: 6 })]);
    expect(listed[0].secret).toBeUndefined();
  });

  it('activates from a QR image file and the password, keeping 8 digits and SHA256', async () => {
    const a = standIn.issue({ algorithm: 'SHA256', digits: 8 });
    const file = join(dir, 'activation-qr.png');
    await QRCode.toFile(file, qrPayload(standIn.url, a.qrTicket), { margin: 2, width: 240 });
    const r = await st(['activate', '--qr', file, '--password', a.password, '--name', 'desk', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ name: 'desk', serial: a.serial, digits: 8, algorithm: 'SHA256', registrationRequired: false });
    expect((await codeJson('desk')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA256', digits: 8, period: 30 }, NOW));
  });

  it('activates from the QR payload text too', async () => {
    const a = standIn.issue();
    const r = await st(['activate', '--qr', qrPayload(standIn.url, a.qrTicket), '--password', a.password, '--name', 'text']);
    expect(r.code).toBe(0);
    expect((await codeJson('text')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA1', digits: 6, period: 30 }, NOW));
  });

  it('activates from the manual details and prints the registration code', async () => {
    const a = standIn.issue();
    const grouped = groupDigits(a.activationCode);
    const r = await st(['activate', '--address', `${standIn.url}/`, '--serial', a.serial, '--activation-code', grouped, '--name', 'manual']);
    expect(r.code).toBe(0);
    const expected = groupDigits(registrationCode(a.secret!));
    expect(r.out).toContain(`Registration code: ${expected}`);
    expect(r.out).toContain("Enter this registration code in your Identity Provider's page");
    expect((await codeJson('manual')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA1', digits: 6, period: 30 }, NOW));
  });

  it('refuses a duplicate name before any network call', async () => {
    const a = standIn.issue();
    await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', 'laptop']);
    const b = standIn.issue();
    const before = standIn.requests;
    const r = await st(['activate', '--qr', qrPayload(standIn.url, b.qrTicket), '--password', b.password, '--name', 'laptop']);
    expect([r.code, r.err]).toEqual([1, DUPLICATE]);
    expect(standIn.requests).toBe(before);
    expect(b.used).toBe(false);
  });

  it('catches a mistyped activation code (Luhn) and a malformed serial without a network call', async () => {
    const a = standIn.issue();
    const typo = a.activationCode.slice(0, 15) + String((Number(a.activationCode[15]) + 1) % 10);
    const before = standIn.requests;
    expect((await st(['activate', '--address', standIn.url, '--serial', a.serial, '--activation-code', typo, '--name', 'm'])).err).toContain('check it for typing mistakes');
    expect((await st(['activate', '--address', standIn.url, '--serial', '12345', '--activation-code', a.activationCode, '--name', 'm'])).err).toBe('The serial number is 10 digits.');
    expect((await st(['activate', '--link', 'https://idp.example/elsewhere?ticket=x', '--name', 'm'])).err).toBe('This is not a soft token activation link.');
    expect(standIn.requests).toBe(before);
  });

  const scenarios: Record<ActivationErrorCode, () => Promise<string[]>> = {
    invalid_request: async () => {
      standIn.forced = { status: 400, body: JSON.stringify({ error: 'invalid_request', message: errorMessage('invalid_request') }) };
      return ['--link', `${standIn.url}/softtoken/activate?ticket=whatever`];
    },
    invalid_ticket: async () => ['--link', `${standIn.url}/softtoken/activate?ticket=unknown-ticket-value`],
    activation_expired: async () => ['--link', `${standIn.url}/softtoken/activate?ticket=${standIn.issue({ expired: true }).linkTicket}`],
    invalid_password: async () => ['--qr', qrPayload(standIn.url, standIn.issue({ password: '11111111' }).qrTicket), '--password', '22222222'],
    invalid_activation_code: async () => {
      const a = standIn.issue({ activationCode: '1234567890123452' });
      return ['--address', standIn.url, '--serial', a.serial, '--activation-code', '0000000000000000'];
    },
    already_used: async () => ['--link', `${standIn.url}/softtoken/activate?ticket=${standIn.issue({ used: true }).linkTicket}`],
    too_many_attempts: async () => {
      const a = standIn.issue();
      for (let i = 0; i < 5; i++) await st(['activate', '--qr', qrPayload(standIn.url, a.qrTicket), '--password', '00000000', '--name', 'n']);
      return ['--qr', qrPayload(standIn.url, a.qrTicket), '--password', a.password];
    },
  };

  it.each([...ACTIVATION_ERRORS])('prints the server message for %s, exits 1 and stores nothing', async (error) => {
    const argv = await scenarios[error]();
    try {
      const before = standIn.requests;
      const r = await st(['activate', ...argv, '--name', 'refused']);
      expect(standIn.requests).toBe(before + 1);
      expect([r.code, r.err]).toEqual([1, errorMessage(error)]);
      const json = await st(['activate', ...argv, '--name', 'refused', '--json']);
      expect(JSON.parse(json.out)).toEqual({ error, message: errorMessage(error) });
    } finally {
      delete standIn.forced;
    }
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toEqual([]);
  });

  it('uses the exact words for an expired activation', () => {
    expect(errorMessage('activation_expired')).toBe(
      'The soft token could not be activated because the activation code has expired. Return to your Identity Provider and attempt the action again.',
    );
  });

  it('handles a terse server, a broken server, an unreachable one and plain http to another machine', async () => {
    try {
      standIn.forced = { status: 410, body: JSON.stringify({ error: 'activation_expired' }) };
      expect((await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=t`, '--name', 'x'])).err).toBe(errorMessage('activation_expired'));
      standIn.forced = { status: 500, body: '<html>oops</html>' };
      expect((await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=t`, '--name', 'x'])).err).toContain('did not answer like an Identity Provider (HTTP 500)');
      standIn.forced = { status: 200, body: JSON.stringify({ serial: '1' }) };
      expect((await st(['activate', '--link', `${standIn.url}/softtoken/activate?ticket=t`, '--name', 'x'])).code).toBe(1);
    } finally {
      delete standIn.forced;
    }
    expect((await st(['activate', '--link', 'http://127.0.0.1:9/softtoken/activate?ticket=t', '--name', 'x'])).err).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:9: /);
    expect((await st(['activate', '--link', 'http://idp.example/softtoken/activate?ticket=t', '--name', 'x'])).err).toContain('does not use https');
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toEqual([]);
  });
});
