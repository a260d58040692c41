// The project's TOTP wrapper against the RFC vectors, and its window, replay and drift rules.
import { describe, expect, it } from '@jest/globals';
import { fromBase32, groupedBase32, otpauthUri, timeStep, toBase32, totpCode, type TotpAlgorithm, type TotpParams, verifyTotp } from '../../src/tokens/totp.js';

// RFC 6238 Appendix B: the seed is "1234567890" repeated to the hash's block of key bytes.
const seed = (bytes: number) => Buffer.from('1234567890'.repeat(7).slice(0, bytes), 'ascii');
const seeds: Record<TotpAlgorithm, Buffer> = { SHA1: seed(20), SHA256: seed(32), SHA512: seed(64) };

const rfc6238: [number, TotpAlgorithm, string][] = [
  [59, 'SHA1', '94287082'],
  [59, 'SHA256', '46119246'],
  [59, 'SHA512', '90693936'],
  [1111111109, 'SHA1', '07081804'],
  [1111111109, 'SHA256', '68084774'],
  [1111111109, 'SHA512', '25091201'],
  [1111111111, 'SHA1', '14050471'],
  [1111111111, 'SHA256', '67062674'],
  [1111111111, 'SHA512', '99943326'],
  [1234567890, 'SHA1', '89005924'],
  [1234567890, 'SHA256', '91819424'],
  [1234567890, 'SHA512', '93441116'],
  [2000000000, 'SHA1', '69279037'],
  [2000000000, 'SHA256', '90698825'],
  [2000000000, 'SHA512', '38618901'],
  [20000000000, 'SHA1', '65353130'],
  [20000000000, 'SHA256', '77737706'],
  [20000000000, 'SHA512', '47863826'],
];

// RFC 4226 Appendix D: HOTP of "12345678901234567890" for counters 0..9, 6 digits.
const rfc4226 = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'].map((code, counter) => [counter, code] as const);

const sha1x6: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };
const secret = Buffer.from('0123456789abcdefghij', 'ascii');
// A fixed instant in the middle of a time step, so ±period lands squarely in the neighbours.
const NOW = 1_700_000_015_000;
const STEP = timeStep(sha1x6, NOW);
const codeAt = (offset: number, params: TotpParams = sha1x6) => totpCode(secret, params, NOW + offset * params.period * 1000);

describe('RFC 6238 Appendix B through totpCode and verifyTotp', () => {
  it.each(rfc6238)('at %i s with %s the code is %s', (seconds, algorithm, expected) => {
    const params: TotpParams = { algorithm, digits: 8, period: 30 };
    expect(totpCode(seeds[algorithm], params, seconds * 1000)).toBe(expected);
    const match = verifyTotp(seeds[algorithm], expected, params, seconds * 1000, 0);
    expect(match).toEqual({ step: Math.floor(seconds / 30), drift: 0 });
  });

  it.each(rfc6238)('at %i s a %s code of another algorithm is refused', (seconds, algorithm, expected) => {
    const other: TotpAlgorithm = algorithm === 'SHA1' ? 'SHA256' : 'SHA1';
    expect(verifyTotp(seeds[algorithm], expected, { algorithm: other, digits: 8, period: 30 }, seconds * 1000, 0)).toBeNull();
  });
});

describe('RFC 4226 Appendix D through the TOTP wrapper (period 30 at counter × 30 s)', () => {
  it.each(rfc4226)('counter %i gives %s', (counter, expected) => {
    expect(totpCode(seeds.SHA1, sha1x6, counter * 30 * 1000)).toBe(expected);
    expect(verifyTotp(seeds.SHA1, expected, sha1x6, counter * 30 * 1000, 0)).toEqual({ step: counter, drift: 0 });
  });
});

describe('verification window', () => {
  it.each([
    [-1, { step: STEP - 1, drift: -1 }],
    [0, { step: STEP, drift: 0 }],
    [1, { step: STEP + 1, drift: 1 }],
    [-2, null],
    [2, null],
  ] as const)('with window 1 a code from step %i gives %j', (offset, expected) => {
    expect(verifyTotp(secret, codeAt(offset), sha1x6, NOW, 1)).toEqual(expected);
  });

  it.each([
    [-1, null],
    [0, { step: STEP, drift: 0 }],
    [1, null],
  ] as const)('with window 0 a code from step %i gives %j', (offset, expected) => {
    expect(verifyTotp(secret, codeAt(offset), sha1x6, NOW, 0)).toEqual(expected);
  });

  it('holds at the very first and last millisecond of the current step', () => {
    const start = STEP * 30_000;
    const end = start + 29_999;
    for (const at of [start, end]) {
      expect(verifyTotp(secret, totpCode(secret, sha1x6, at - 30_000), sha1x6, at, 1)?.drift).toBe(-1);
      expect(verifyTotp(secret, totpCode(secret, sha1x6, at + 30_000), sha1x6, at, 1)?.drift).toBe(1);
      expect(verifyTotp(secret, totpCode(secret, sha1x6, at - 60_000), sha1x6, at, 1)).toBeNull();
      expect(verifyTotp(secret, totpCode(secret, sha1x6, at + 60_000), sha1x6, at, 1)).toBeNull();
    }
  });

  it('works with 8 digits and SHA512 as an administrator may configure', () => {
    const params: TotpParams = { algorithm: 'SHA512', digits: 8, period: 30 };
    expect(codeAt(1, params)).toMatch(/^\d{8}$/);
    expect(verifyTotp(secret, codeAt(1, params), params, NOW, 1)).toEqual({ step: STEP + 1, drift: 1 });
    expect(verifyTotp(secret, codeAt(0, params).slice(0, 6), params, NOW, 1)).toBeNull();
  });

  it.each(['', '12345', '1234567', '12345a', ' 123456', 'abcdef'])('refuses the malformed code %j', (code) => {
    expect(verifyTotp(secret, code, sha1x6, NOW, 1)).toBeNull();
  });
});

describe('replay protection (afterStep)', () => {
  it.each([
    // [afterStep relative to now, code offset, accepted?]
    [-1, -1, false],
    [-1, 0, true],
    [-1, 1, true],
    [0, -1, false],
    [0, 0, false],
    [0, 1, true],
    [1, 0, false],
    [1, 1, false],
    [-5, -1, true],
  ] as const)('after step %i a code from step %i is accepted: %s', (after, offset, accepted) => {
    const match = verifyTotp(secret, codeAt(offset), sha1x6, NOW, 1, STEP + after);
    expect(match).toEqual(accepted ? { step: STEP + offset, drift: offset } : null);
  });

  it('refuses everything, without throwing, when the last step is beyond the window', () => {
    // After a clock correction or a smaller window, the stored step may lie ahead of what is checked.
    for (const offset of [-1, 0, 1]) {
      expect(verifyTotp(secret, codeAt(offset), sha1x6, NOW, 1, STEP + 3)).toBeNull();
      expect(verifyTotp(secret, codeAt(offset), sha1x6, NOW, 0, STEP + 1)).toBeNull();
    }
  });

  it('treats null and undefined as "nothing accepted yet"', () => {
    expect(verifyTotp(secret, codeAt(0), sha1x6, NOW, 1, null)).toEqual({ step: STEP, drift: 0 });
    expect(verifyTotp(secret, codeAt(0), sha1x6, NOW, 1, undefined)).toEqual({ step: STEP, drift: 0 });
  });
});

describe('base32 and the otpauth URI', () => {
  it.each([1, 5, 10, 16, 20, 32, 64])('round-trips a %i-byte secret through grouped base32', (bytes) => {
    const key = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37 + 11) & 0xff));
    const grouped = groupedBase32(key);
    expect(grouped).toMatch(/^[A-Z2-7]{1,4}( [A-Z2-7]{1,4})*$/);
    expect(grouped.replace(/ /g, '')).toBe(toBase32(key));
    expect(Buffer.from(fromBase32(grouped))).toEqual(key);
    expect(Buffer.from(fromBase32(grouped.toLowerCase().replace(/ /g, '-')))).toEqual(key);
  });

  it('encodes the RFC 4648 test vector', () => {
    expect(toBase32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(groupedBase32(seeds.SHA1)).toBe('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ');
  });

  it('holds issuer, label, SHA1, digits and period, and the secret', () => {
    const uri = new URL(otpauthUri(seeds.SHA1, sha1x6, 'idp.example', 'alice@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/idp.example:alice@example.com');
    expect(uri.searchParams.get('issuer')).toBe('idp.example');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(Buffer.from(fromBase32(uri.searchParams.get('secret')!))).toEqual(seeds.SHA1);
  });

  it('escapes a label with spaces or a colon so it stays one label', () => {
    const uri = otpauthUri(seeds.SHA1, { algorithm: 'SHA1', digits: 8, period: 30 }, 'My IdP', 'a:b c');
    expect(uri.startsWith('otpauth://totp/My%20IdP:a%3Ab%20c?')).toBe(true);
    expect(new URL(uri).searchParams.get('digits')).toBe('8');
  });
});
