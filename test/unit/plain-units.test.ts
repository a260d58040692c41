// Plain units: a lock's end in words, and the Settings form's durations, choices and yes/no read back
// into the values the settings store (seconds, numbers, booleans).
import { describe, expect, it } from '@jest/globals';
import { settingRows, settingsPatch } from '../../src/admin/console/settings-form.js';
import { durationInWords } from '../../src/i18n/lock-words.js';

describe('durations in words', () => {
  it.each([
    [30_000, '1 minute'],
    [14 * 60_000 + 10_000, '15 minutes'],
    [60 * 60_000, '1 hour'],
    [90 * 60_000, '90 minutes'],
    [5 * 3600_000, '5 hours'],
    [24 * 3600_000, '1 day'],
    [3 * 86_400_000, '3 days'],
  ])('%i ms is "%s"', (ms, words) => {
    expect(durationInWords(ms)).toBe(words);
  });
});

describe('the Settings form', () => {
  const listed = [
    { key: 'pin.ttl', label: 'One-time PIN lifetime (seconds)', value: 300, defaultValue: 300, overridden: false },
    { key: 'lockout.duration', label: 'Lockout lifetime (seconds, 0 = until unlocked)', value: 0, defaultValue: 900, overridden: true },
    { key: 'session.ttl', label: 'Sign-in session lifetime (seconds)', value: 8 * 3600, defaultValue: 8 * 3600, overridden: false },
    { key: 'pin.delivery', label: 'One-time PIN delivery', value: 'sms', defaultValue: 'sms', overridden: false },
    { key: 'otp.digits', label: 'OTP digits', value: 6, defaultValue: 6, overridden: false },
    { key: 'pin.emailAllowed', label: 'E-mail PIN allowed', value: true, defaultValue: true, overridden: false },
    { key: 'password.minLength', label: 'Password minimum length', value: 12, defaultValue: 12, overridden: false },
  ];

  it('shows durations in their unit, lists and yes/no as choices', () => {
    const rows = Object.fromEntries(settingRows(listed).map((r) => [r.key, r]));
    expect(rows['pin.ttl']).toMatchObject({ kind: 'duration', value: '5', unit: 'minutes', label: 'One-time PIN lifetime', defaultText: '5 minutes' });
    expect(rows['session.ttl']).toMatchObject({ kind: 'duration', value: '8', unit: 'hours' });
    expect(rows['lockout.duration']).toMatchObject({ kind: 'duration', label: 'Lockout lifetime (0 = until an administrator unlocks it)', defaultText: '15 minutes' });
    expect(rows['pin.delivery']!.choices!.map((c) => c.value)).toEqual(['sms', 'email', 'both']);
    expect(rows['otp.digits']!.choices!.map((c) => c.value)).toEqual(['6', '8']);
    expect(rows['pin.emailAllowed']!.choices!.map((c) => c.label)).toEqual(['Yes', 'No']);
    expect(rows['password.minLength']!.kind).toBe('text');
  });

  it('reads the posted form back into stored values, sending only what changed', () => {
    const form: Record<string, string> = {
      pin__ttl: '4', pin__ttl__unit: 'minutes',
      lockout__duration: '0', lockout__duration__unit: 'days',
      session__ttl: '1', session__ttl__unit: 'days',
      pin__delivery: 'sms', otp__digits: '8', pin__emailAllowed: 'false', password__minLength: '12',
    };
    expect(settingsPatch(listed, (name) => form[name] ?? '')).toEqual({ 'pin.ttl': 240, 'session.ttl': 86_400, 'otp.digits': 8, 'pin.emailAllowed': false });
  });

  it('passes an unreadable value on, for the store to refuse by name', () => {
    const patch = settingsPatch(listed, (name) => ({ pin__ttl: 'soon', pin__ttl__unit: 'minutes' })[name] ?? '');
    expect(Number.isNaN(patch['pin.ttl'])).toBe(true);
  });
});
