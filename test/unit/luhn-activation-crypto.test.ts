// Check digits, serial numbers and activation codes, and the activation exchange both sides run.
import { describe, expect, it } from '@jest/globals';
import {
  checkManualProof,
  deriveSecret,
  generateKeyPair,
  groupDigits,
  isPublicKey,
  manualProof,
  normalizeDigits,
  parseQrPayload,
  qrPayload,
  registrationCode,
  SECRET_BYTES,
} from '../../src/tokens/activation-crypto.js';
import { isLuhnValid, luhnCheckDigit } from '../../src/tokens/luhn.js';
import { newActivationCode, newSerial } from '../../src/tokens/serial.js';

const many = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

describe('Luhn', () => {
  it.each([
    ['7992739871', '3'],
    ['453914880343646', '7'], // a published Visa test number
    ['411111111111111', '1'],
    ['49015420323751', '8'], // a published IMEI example
    ['0', '0'],
    ['1', '8'],
    ['', '0'],
  ])('the check digit of %j is %s', (body, digit) => {
    expect(luhnCheckDigit(body)).toBe(digit);
  });

  it.each([
    ['79927398713', true],
    ['4539148803436467', true],
    ['79927398710', false],
    ['79927398731', false], // the last two digits swapped
    ['0', false], // too short to carry a check digit
    ['00', true],
    ['7992739871a', false],
    ['7992-7398-713', false], // callers strip the grouping first
  ])('%j is Luhn-valid: %s', (code, valid) => {
    expect(isLuhnValid(code)).toBe(valid);
  });

  it('catches every single mistyped digit', () => {
    const code = '79927398713';
    for (let i = 0; i < code.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === code[i]) continue;
        expect(isLuhnValid(code.slice(0, i) + d + code.slice(i + 1))).toBe(false);
      }
    }
  });
});

describe('serial numbers and activation codes', () => {
  it('makes 10-digit serials that never start with 0', () => {
    const serials = many(500, newSerial);
    for (const s of serials) expect(s).toMatch(/^[1-9]\d{9}$/);
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('makes 16-digit activation codes that are always Luhn-valid', () => {
    const codes = many(500, newActivationCode);
    for (const c of codes) {
      expect(c).toMatch(/^\d{16}$/);
      expect(isLuhnValid(c)).toBe(true);
    }
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(codes.map((c) => c[0])).size).toBeGreaterThan(5); // a leading 0 is allowed here
  });

  it('groups and ungroups digits', () => {
    expect(groupDigits('1234567890123456')).toBe('1234-5678-9012-3456');
    expect(groupDigits('1234567890', 3)).toBe('123-456-789-0');
    expect(normalizeDigits(' 1234-5678 9012\t3456 ')).toBe('1234567890123456');
  });
});

describe('registration code', () => {
  const secret = Buffer.from('0123456789abcdefghij');

  it('is 10 Luhn-valid digits, the same every time for one secret', () => {
    const code = registrationCode(secret);
    expect(code).toMatch(/^\d{10}$/);
    expect(isLuhnValid(code)).toBe(true);
    expect(registrationCode(Buffer.from(secret))).toBe(code);
  });

  it('differs between secrets and is always Luhn-valid', () => {
    const secrets = many(200, () => generateKeyPair()).map((k, i) => Buffer.from(`${k.publicKey}${i}`).subarray(0, SECRET_BYTES));
    const codes = secrets.map(registrationCode);
    for (const c of codes) expect(isLuhnValid(c)).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    const flipped = Buffer.from(secret);
    flipped[0]! ^= 1;
    expect(registrationCode(flipped)).not.toBe(registrationCode(secret));
  });
});

describe('the X25519 + HKDF exchange', () => {
  it('gives both sides the same 20-byte secret', () => {
    const app = generateKeyPair();
    const server = generateKeyPair();
    const serial = newSerial();
    const onServer = deriveSecret(server.privateKey, app.publicKey, serial);
    const onApp = deriveSecret(app.privateKey, server.publicKey, serial);
    expect(onServer).toHaveLength(SECRET_BYTES);
    expect(onApp).toEqual(onServer);
  });

  it('gives a different secret with another serial number or another key pair', () => {
    const app = generateKeyPair();
    const server = generateKeyPair();
    const base = deriveSecret(server.privateKey, app.publicKey, '1234567890');
    expect(deriveSecret(app.privateKey, server.publicKey, '1234567891')).not.toEqual(base);
    expect(deriveSecret(server.privateKey, generateKeyPair().publicKey, '1234567890')).not.toEqual(base);
    expect(deriveSecret(generateKeyPair().privateKey, app.publicKey, '1234567890')).not.toEqual(base);
  });

  it('refuses a degenerate (all-zero) public key', () => {
    expect(isPublicKey('A'.repeat(43))).toBe(true); // well formed, yet worthless
    expect(() => deriveSecret(generateKeyPair().privateKey, 'A'.repeat(43), '1234567890')).toThrow();
  });

  it.each([
    ['a fresh key', generateKeyPair().publicKey, true],
    ['standard base64 with padding', `${Buffer.alloc(32, 7).toString('base64')}`, false],
    ['one character short', generateKeyPair().publicKey.slice(1), false],
    ['one character long', `${generateKeyPair().publicKey}A`, false],
    ['a character outside base64url', `${generateKeyPair().publicKey.slice(1)}+`, false],
    ['a number', 42, false],
    ['nothing', undefined, false],
  ])('isPublicKey: %s → %s', (_label, value, expected) => {
    expect(isPublicKey(value)).toBe(expected);
  });
});

describe('manual activation proof', () => {
  const code = newActivationCode();
  const serial = newSerial();
  const key = generateKeyPair().publicKey;
  const proof = manualProof(code, serial, key);
  const otherDigit = (s: string, i: number) => s.slice(0, i) + ((Number(s[i]) + 1) % 10) + s.slice(i + 1);

  it('verifies with the right activation code, serial and key, grouped or not', () => {
    expect(checkManualProof(code, serial, key, proof)).toBe(true);
    expect(checkManualProof(groupDigits(code), serial, key, proof)).toBe(true);
    expect(manualProof(groupDigits(code), serial, key)).toBe(proof);
  });

  it.each([
    ['another activation code', () => checkManualProof(otherDigit(code, 3), serial, key, proof)],
    ['another serial', () => checkManualProof(code, otherDigit(serial, 9), key, proof)],
    ['another public key', () => checkManualProof(code, serial, generateKeyPair().publicKey, proof)],
    ['a proof for another key', () => checkManualProof(code, serial, key, manualProof(code, serial, generateKeyPair().publicKey))],
    ['a truncated proof', () => checkManualProof(code, serial, key, proof.slice(0, -1))],
    ['an empty proof', () => checkManualProof(code, serial, key, '')],
  ])('fails with %s', (_label, check) => {
    expect(check()).toBe(false);
  });

  it('does not contain the activation code', () => {
    expect(proof).not.toContain(code);
    expect(proof).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('QR payload', () => {
  it.each([
    ['https://idp.example', 'AbCdEf0123456789_-xyzQ'],
    ['http://127.0.0.1:3000', 'ticket-with-dash'],
    ['https://idp.example/base path?x=1&y=2', 'a+b/c=d&e'],
  ])('round-trips %s with ticket %s', (address, ticket) => {
    const payload = qrPayload(address, ticket);
    expect(payload.startsWith('idp-softtoken://activate?')).toBe(true);
    expect(parseQrPayload(payload)).toEqual({ address, ticket });
    expect(parseQrPayload(`  ${payload}\n`)).toEqual({ address, ticket });
  });

  it.each([
    ['an https link', 'https://idp.example/softtoken/activate?address=https://idp.example&ticket=abc'],
    ['an otpauth URI', 'otpauth://totp/idp:alice?secret=GEZDGNBV&issuer=idp&address=x&ticket=y'],
    ['a look-alike scheme', 'idp-softtoken2://activate?address=https://idp.example&ticket=abc'],
    ['no ticket', 'idp-softtoken://activate?address=https://idp.example'],
    ['no address', 'idp-softtoken://activate?ticket=abc'],
    ['an empty ticket', 'idp-softtoken://activate?address=https://idp.example&ticket='],
    ['not a URL', 'hello world'],
    ['nothing', ''],
  ])('rejects %s', (_label, payload) => {
    expect(parseQrPayload(payload)).toBeNull();
  });
});
