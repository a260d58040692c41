// Seeds benchmark users for bench:passkey: each with a passkey held by a software authenticator of
// its own (registered through the service, as at a first sign-in), or with an active authenticator-app
// token (its secret kept for computing codes). All have security questions, so none are asked.
import type { Services } from '../../src/services.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import { totpParams } from '../../test/support/enrolled-user.js';
import { SoftAuthenticator } from '../../test/support/soft-authenticator.js';
import { runConcurrent } from './measure.js';
import { type BenchUser, seedUsers } from './users.js';

const answers = [
  { question: 'What was the name of your first pet?', answer: 'rex' },
  { question: 'In what city were you born?', answer: 'paris' },
  { question: 'What was the make of your first car?', answer: 'volvo' },
];

export interface PasskeyUser extends BenchUser {
  authenticator: SoftAuthenticator;
}

export interface TotpUser extends BenchUser {
  secret: Uint8Array;
}

/** `origin`: the server's, which the authenticator's client data names. */
export async function seedPasskeyUsers(s: Services, count: number, prefix: string, origin: string): Promise<PasskeyUser[]> {
  const seeded = await seedUsers(s, count, prefix);
  const users: PasskeyUser[] = [];
  await runConcurrent(seeded.length, 4, async (i) => {
    const u = seeded[i]!;
    const user = (await s.users.findById(u.id))!;
    const authenticator = new SoftAuthenticator(origin);
    const response = authenticator.register(await s.passkeys.registrationOptions(user, new Uint8Array(32)));
    await s.passkeys.register(user, response, { challenge: () => true, requireUserVerification: false }, {}, 'Bench key');
    await s.questions.set(u.id, answers);
    users[i] = { ...u, authenticator };
  });
  return users;
}

export async function seedTotpUsers(s: Services, count: number, prefix: string): Promise<TotpUser[]> {
  const seeded = await seedUsers(s, count, prefix);
  const users: TotpUser[] = [];
  await runConcurrent(seeded.length, 4, async (i) => {
    const u = seeded[i]!;
    const user = (await s.users.findById(u.id))!;
    const { token, key } = await s.tokens.createForApp(user);
    const secret = fromBase32(key);
    // Activated with the previous step's code, so the sign-in's current code is not a replay; not in
    // a step's last second, so the code is still in the accepted window when it is checked.
    const intoStep = Date.now() % (totpParams.period * 1000);
    if (intoStep > (totpParams.period - 1) * 1000) await new Promise((r) => setTimeout(r, totpParams.period * 1000 - intoStep + 10));
    await s.tokens.completeWithCode(u.id, token.id, totpCode(secret, totpParams, Date.now() - totpParams.period * 1000));
    await s.questions.set(u.id, answers);
    users[i] = { ...u, secret };
  });
  return users;
}
