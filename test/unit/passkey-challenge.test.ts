// Stateless passkey challenges: good once for their purpose, interaction and attempt, for five minutes.
import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { type ChallengeBinding, PasskeyChallenges } from '../../src/passkeys/passkey-challenge.js';

const binding: ChallengeBinding = { purpose: 'authenticate', uid: 'interaction-1', n: 0 };

/** A clock that moves only when told. */
class FixedClock {
  at = 1_760_000_000_000;
  now = () => this.at;
  tick(ms: number) {
    this.at += ms;
  }
}

function setup() {
  const clock = new FixedClock();
  const key = randomBytes(32);
  const challenges = new PasskeyChallenges(key, clock);
  const challenge = Buffer.from(challenges.issue(binding)).toString('base64url');
  return { clock, key, challenges, challenge };
}

describe('passkey challenges', () => {
  it('checks out for the binding it was issued for, within five minutes', () => {
    const { clock, challenges, challenge } = setup();
    expect(challenges.check(challenge, binding)).toBe(true);
    clock.tick(5 * 60_000);
    expect(challenges.check(challenge, binding)).toBe(true);
    clock.tick(1);
    expect(challenges.check(challenge, binding)).toBe(false);
  });

  it.each([
    ['another purpose', { ...binding, purpose: 'register' as const }],
    ['another interaction', { ...binding, uid: 'interaction-2' }],
    ['the next attempt', { ...binding, n: 1 }],
  ])('fails for %s', (_, other) => {
    const { challenges, challenge } = setup();
    expect(challenges.check(challenge, other)).toBe(false);
  });

  it('fails for another key, an altered time, a time far ahead, and junk', () => {
    const { clock, key, challenges, challenge } = setup();
    expect(new PasskeyChallenges(randomBytes(32), clock).check(challenge, binding)).toBe(false);
    const bytes = Buffer.from(challenge, 'base64url');
    bytes.writeBigUInt64BE(bytes.readBigUInt64BE(0) - 1n);
    expect(challenges.check(bytes.toString('base64url'), binding)).toBe(false);
    const ahead = new FixedClock();
    ahead.at = clock.at + 60_000;
    const future = Buffer.from(new PasskeyChallenges(key, ahead).issue(binding)).toString('base64url');
    expect(challenges.check(future, binding)).toBe(false);
    expect(challenges.check('', binding)).toBe(false);
    expect(challenges.check('not a challenge', binding)).toBe(false);
  });
});
