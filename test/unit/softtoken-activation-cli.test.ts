// The softtoken app's activation against a stand-in server that implements the other side of the
// contract with the shared crypto: the e-mailed link, a QR image or its text, the manual details;
// mistakes caught before any network call, and the server's refusals in the exact words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { ACTIVATION_ERRORS, type ActivationErrorCode, groupDigits, qrPayload, registrationCode } from '../../src/tokens/activation-crypto.js';
import { totpCode } from '../../src/tokens/totp.js';
import { errorMessage } from '../support/activation-stand-in.js';
import { DUPLICATE, NOW, softtokenCli } from '../support/softtoken-cli.js';

const cli = softtokenCli();
const { st, codeJson } = cli;

describe('softtoken activation against a stand-in server', () => {
  it('activates from the e-mailed link; both sides derive the same secret', async () => {
    const a = cli.standIn.issue();
    const r = await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', 'laptop']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain(`serial ${a.serial}`);
    expect(r.out).not.toContain('Registration code');
    expect((await codeJson('laptop')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA1', digits: 6, period: 30 }, NOW));
    expect(readFileSync(cli.vaultFile, 'utf8')).not.toContain(a.secret!.toString('base64'));
    const listed = JSON.parse((await st(['list', '--json'])).out).identities;
    expect(listed).toEqual([expect.objectContaining({ name: 'laptop', serial: a.serial, address: cli.standIn.url, digits: 6 })]);
    expect(listed[0].secret).toBeUndefined();
  });

  it('activates from a QR image file and the password, keeping 8 digits and SHA256', async () => {
    const a = cli.standIn.issue({ algorithm: 'SHA256', digits: 8 });
    const file = join(cli.dir, 'activation-qr.png');
    await QRCode.toFile(file, qrPayload(cli.standIn.url, a.qrTicket), { margin: 2, width: 240 });
    const r = await st(['activate', '--qr', file, '--password', a.password, '--name', 'desk', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ name: 'desk', serial: a.serial, digits: 8, algorithm: 'SHA256', registrationRequired: false });
    expect((await codeJson('desk')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA256', digits: 8, period: 30 }, NOW));
  });

  it('activates from the QR payload text too', async () => {
    const a = cli.standIn.issue();
    const r = await st(['activate', '--qr', qrPayload(cli.standIn.url, a.qrTicket), '--password', a.password, '--name', 'text']);
    expect(r.code).toBe(0);
    expect((await codeJson('text')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA1', digits: 6, period: 30 }, NOW));
  });

  it('activates from the manual details and prints the registration code', async () => {
    const a = cli.standIn.issue();
    const grouped = groupDigits(a.activationCode);
    const r = await st(['activate', '--address', `${cli.standIn.url}/`, '--serial', a.serial, '--activation-code', grouped, '--name', 'manual']);
    expect(r.code).toBe(0);
    const expected = groupDigits(registrationCode(a.secret!));
    expect(r.out).toContain(`Registration code: ${expected}`);
    expect(r.out).toContain("Enter this registration code in your Identity Provider's page");
    expect((await codeJson('manual')).code).toBe(totpCode(a.secret!, { algorithm: 'SHA1', digits: 6, period: 30 }, NOW));
  });

  it('refuses a duplicate name before any network call', async () => {
    const a = cli.standIn.issue();
    await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=${a.linkTicket}`, '--name', 'laptop']);
    const b = cli.standIn.issue();
    const before = cli.standIn.requests;
    const r = await st(['activate', '--qr', qrPayload(cli.standIn.url, b.qrTicket), '--password', b.password, '--name', 'laptop']);
    expect([r.code, r.err]).toEqual([1, DUPLICATE]);
    expect(cli.standIn.requests).toBe(before);
    expect(b.used).toBe(false);
  });

  it('catches a mistyped activation code (Luhn) and a malformed serial without a network call', async () => {
    const a = cli.standIn.issue();
    const typo = a.activationCode.slice(0, 15) + String((Number(a.activationCode[15]) + 1) % 10);
    const before = cli.standIn.requests;
    expect((await st(['activate', '--address', cli.standIn.url, '--serial', a.serial, '--activation-code', typo, '--name', 'm'])).err).toContain('check it for typing mistakes');
    expect((await st(['activate', '--address', cli.standIn.url, '--serial', '12345', '--activation-code', a.activationCode, '--name', 'm'])).err).toBe('The serial number is 10 digits.');
    expect((await st(['activate', '--link', 'https://idp.example/elsewhere?ticket=x', '--name', 'm'])).err).toBe('This is not a soft token activation link.');
    expect(cli.standIn.requests).toBe(before);
  });

  const scenarios: Record<ActivationErrorCode, () => Promise<string[]>> = {
    invalid_request: async () => {
      cli.standIn.forced = { status: 400, body: JSON.stringify({ error: 'invalid_request', message: errorMessage('invalid_request') }) };
      return ['--link', `${cli.standIn.url}/softtoken/activate?ticket=whatever`];
    },
    invalid_ticket: async () => ['--link', `${cli.standIn.url}/softtoken/activate?ticket=unknown-ticket-value`],
    activation_expired: async () => ['--link', `${cli.standIn.url}/softtoken/activate?ticket=${cli.standIn.issue({ expired: true }).linkTicket}`],
    invalid_password: async () => ['--qr', qrPayload(cli.standIn.url, cli.standIn.issue({ password: '11111111' }).qrTicket), '--password', '22222222'],
    invalid_activation_code: async () => {
      const a = cli.standIn.issue({ activationCode: '1234567890123452' });
      return ['--address', cli.standIn.url, '--serial', a.serial, '--activation-code', '0000000000000000'];
    },
    already_used: async () => ['--link', `${cli.standIn.url}/softtoken/activate?ticket=${cli.standIn.issue({ used: true }).linkTicket}`],
    too_many_attempts: async () => {
      const a = cli.standIn.issue();
      for (let i = 0; i < 5; i++) await st(['activate', '--qr', qrPayload(cli.standIn.url, a.qrTicket), '--password', '00000000', '--name', 'n']);
      return ['--qr', qrPayload(cli.standIn.url, a.qrTicket), '--password', a.password];
    },
  };

  it.each([...ACTIVATION_ERRORS])('prints the server message for %s, exits 1 and stores nothing', async (error) => {
    const argv = await scenarios[error]();
    try {
      const before = cli.standIn.requests;
      const r = await st(['activate', ...argv, '--name', 'refused']);
      expect(cli.standIn.requests).toBe(before + 1);
      expect([r.code, r.err]).toEqual([1, errorMessage(error)]);
      const json = await st(['activate', ...argv, '--name', 'refused', '--json']);
      expect(JSON.parse(json.out)).toEqual({ error, message: errorMessage(error) });
    } finally {
      delete cli.standIn.forced;
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
      cli.standIn.forced = { status: 410, body: JSON.stringify({ error: 'activation_expired' }) };
      expect((await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=t`, '--name', 'x'])).err).toBe(errorMessage('activation_expired'));
      cli.standIn.forced = { status: 500, body: '<html>oops</html>' };
      expect((await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=t`, '--name', 'x'])).err).toContain('did not answer like an Identity Provider (HTTP 500)');
      cli.standIn.forced = { status: 200, body: JSON.stringify({ serial: '1' }) };
      expect((await st(['activate', '--link', `${cli.standIn.url}/softtoken/activate?ticket=t`, '--name', 'x'])).code).toBe(1);
    } finally {
      delete cli.standIn.forced;
    }
    expect((await st(['activate', '--link', 'http://127.0.0.1:9/softtoken/activate?ticket=t', '--name', 'x'])).err).toMatch(/^Could not reach http:\/\/127\.0\.0\.1:9: /);
    expect((await st(['activate', '--link', 'http://idp.example/softtoken/activate?ticket=t', '--name', 'x'])).err).toContain('does not use https');
    expect(JSON.parse((await st(['list', '--json'])).out).identities).toEqual([]);
  });
});
