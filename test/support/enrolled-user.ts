// A user who has finished enrolment: password `${username} password 1`, an active authenticator-app
// token (its secret returned for computing codes) and three security questions.
import type { Role } from '../../src/persistence/entities/user.entity.js';
import { fromBase32, totpCode } from '../../src/tokens/totp.js';
import type { TestServer } from './test-server.js';

export const totpParams = { algorithm: 'SHA1' as const, digits: 6 as const, period: 30 };

export const enrolledAnswers = [
  { question: 'What was the name of your first pet?', answer: 'Rex' },
  { question: 'In what city were you born?', answer: 'Paris' },
  { question: 'What was the make of your first car?', answer: 'Volvo' },
];

/** `now` is the server's (fake) clock; the caller moves it on before the next code is used. */
export async function createEnrolledUser(server: TestServer, username: string, now: () => number, role: Role = 'user') {
  const s = server.app.services;
  const user = await s.users.create({ username, email: `${username}@example.com`, password: `${username} password 1`, role });
  const { token, key } = await s.tokens.createForApp(user);
  const secret = fromBase32(key);
  await s.tokens.completeWithCode(user.id, token.id, totpCode(secret, totpParams, now()));
  await s.questions.set(user.id, enrolledAnswers);
  return { user, secret, token };
}
