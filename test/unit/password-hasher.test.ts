// The hasher's sign-in check: a hash made with cheaper, older parameters must not answer faster than
// an unknown user does (that would tell which accounts exist until every one has signed in again).
import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { PasswordHasher } from '../../src/users/password-hasher.js';

const today = { memoryCost: 47104, timeCost: 1, parallelism: 1 };

async function duration(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

describe('password hasher', () => {
  const hasher = new PasswordHasher(today);

  it('tells which hashes were made with other parameters, and which parameters', async () => {
    const current = await hasher.hash('a long password');
    const older = await argon2.hash('a long password', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(hasher.needsRehash(current)).toBe(false);
    expect(hasher.needsRehash(older)).toBe(true);
    expect(hasher.needsRehash('not a hash')).toBe(false);
    expect(hasher.parametersOf(older).split(',').sort()).toEqual(['m=19456', 'p=1', 't=2']);
  });

  it('answers for an old, cheap hash no sooner than for an unknown user, and still checks it', async () => {
    // Far cheaper than anything the configuration accepts, so the difference would be plain.
    const cheap = await argon2.hash('a long password', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    await hasher.verifyDummy('warm up'); // the dummy hash is made once, on first use
    // The fastest of three alternating tries of each: a busy machine only ever slows a try down.
    const fastest = { unknownUser: Infinity, plainCheck: Infinity, evenCheck: Infinity };
    for (let round = 0; round < 3; round++) {
      fastest.unknownUser = Math.min(fastest.unknownUser, await duration(() => hasher.verifyDummy('a long password')));
      fastest.plainCheck = Math.min(fastest.plainCheck, await duration(() => hasher.verify(cheap, 'a long password')));
      let ok = false;
      fastest.evenCheck = Math.min(fastest.evenCheck, await duration(async () => (ok = await hasher.verifyEvenly(cheap, 'a long password'))));
      expect(ok).toBe(true);
    }
    expect(await hasher.verifyEvenly(cheap, 'another password')).toBe(false);
    expect(fastest.plainCheck).toBeLessThan(fastest.unknownUser / 4);
    expect(fastest.evenCheck).toBeGreaterThan(fastest.unknownUser / 2);
  });
});
