// The rules every new password meets, wherever it is chosen.
import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/errors/app-error.js';
import { checkNewPassword } from '../../src/users/password-policy.js';

const rules = { minLength: 10, historyCount: 0 };
const account = { username: 'mhamilton1969', email: 'm.hamilton@example.com' };
const refusal = (password: string) => {
  try {
    checkNewPassword(password, rules, account);
    return null;
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
};

describe('new password rules', () => {
  it.each([
    ['shorter than the minimum', 'short pw', 'password.too_short'],
    ['absurdly long', 'x'.repeat(1025), 'password.too_short'],
    ['a common password', 'password123', 'password.common'],
    ['a common password in other letter case', 'QwErTy123456', 'password.common'],
    ['the username', 'MHamilton1969', 'password.personal'],
    ['the e-mail address', 'm.hamilton@example.com', 'password.personal'],
    ['the e-mail address before the @', 'M.Hamilton', 'password.personal'],
  ])('refuses %s', (_, password, code) => {
    expect(refusal(password)).toBe(code);
  });

  it.each([['a passphrase', 'correct horse battery staple'], ['a random string', 'q8#Lw2!vPz0'], ['the username within a longer phrase', 'mhamilton1969 likes rowing']])(
    'accepts %s',
    (_, password) => {
      expect(refusal(password)).toBeNull();
    },
  );
});
