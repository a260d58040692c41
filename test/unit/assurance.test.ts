// The acr level and amr list are computed from what was proven: a table of combinations.
import { describe, expect, it } from '@jest/globals';
import { assess, meets, stronger } from '../../src/authenticators/assurance.js';
import { type Proof, proofsFromAmr } from '../../src/authenticators/registry.js';

const pwd: Proof = { kind: 'password' };
const kba: Proof = { kind: 'security-questions' };

describe('assurance', () => {
  it.each<[string, Proof[], string | undefined, string[]]>([
    ['nothing', [], undefined, []],
    ['password', [pwd], 'urn:idp:acr:1fa', ['pwd']],
    ['password + SMS PIN', [pwd, { kind: 'sms-pin' }], 'urn:idp:acr:mfa', ['pwd', 'sms', 'mfa']],
    ['password + e-mail PIN', [pwd, { kind: 'mail-pin' }], 'urn:idp:acr:mfa', ['pwd', 'mail', 'mfa']],
    ['password + soft token', [pwd, { kind: 'soft-token' }], 'urn:idp:acr:mfa', ['pwd', 'otp', 'mfa']],
    ['password + questions (two knowledge factors)', [pwd, kba], 'urn:idp:acr:1fa', ['pwd', 'kba']],
    ['password + questions + PIN', [pwd, kba, { kind: 'sms-pin' }], 'urn:idp:acr:mfa', ['pwd', 'kba', 'sms', 'mfa']],
    ['password + recovery code', [pwd, { kind: 'recovery-code' }], 'urn:idp:acr:mfa', ['pwd', 'otp', 'mfa']],
    ['passkey with user verification', [{ kind: 'passkey', userVerified: true }], 'urn:idp:acr:phr', ['hwk', 'user', 'mfa']],
    ['synced passkey with user verification', [{ kind: 'passkey', userVerified: true, synced: true }], 'urn:idp:acr:phr', ['swk', 'user', 'mfa']],
    ['passkey without user verification', [{ kind: 'passkey' }], 'urn:idp:acr:1fa', ['hwk']],
    ['password + passkey without user verification', [pwd, { kind: 'passkey' }], 'urn:idp:acr:phr', ['pwd', 'hwk', 'mfa']],
    ['PIN + soft token (two possession factors)', [{ kind: 'sms-pin' }, { kind: 'soft-token' }], 'urn:idp:acr:1fa', ['sms', 'otp']],
  ])('%s', (_, proofs, acr, amr) => {
    expect(assess(proofs)).toEqual(acr ? { acr, amr } : { amr });
  });

  it('orders the levels', () => {
    expect(meets('urn:idp:acr:phr', 'urn:idp:acr:mfa')).toBe(true);
    expect(meets('urn:idp:acr:mfa', 'urn:idp:acr:phr')).toBe(false);
    expect(meets(undefined, 'urn:idp:acr:1fa')).toBe(false);
    expect(stronger('urn:idp:acr:1fa', 'urn:idp:acr:mfa')).toBe('urn:idp:acr:mfa');
  });

  it('reads an earlier amr back as the same assurance (step-up starts from it)', () => {
    for (const amr of [['pwd'], ['pwd', 'sms', 'mfa'], ['pwd', 'otp', 'mfa'], ['hwk', 'user', 'mfa'], ['pwd', 'kba']]) {
      expect(assess(proofsFromAmr(amr)).amr.sort()).toEqual([...amr].sort());
    }
  });
});
