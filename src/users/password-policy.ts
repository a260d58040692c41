// What any new password must be (NIST SP 800-63B 3.1.1.2): long enough, not absurdly long, not one
// of the ~49,000 most common passwords (the list zxcvbn-ts ships), and not the account's own name
// or e-mail address. The same rules wherever a password is chosen: the console, the API, the
// command line, a reset link, My Profile.
import { dictionary } from '@zxcvbn-ts/language-common';
import type { Config } from '../config/config.js';
import { AppError } from '../errors/app-error.js';

const MAX_LENGTH = 1024;
const common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export function checkNewPassword(password: string, rules: Pick<Config['password'], 'minLength'>, account: { username: string; email: string }): void {
  if (password.length < rules.minLength || password.length > MAX_LENGTH) throw new AppError('password.too_short', { min: rules.minLength });
  const lower = password.toLowerCase();
  if (common.has(lower)) throw new AppError('password.common');
  const email = account.email.toLowerCase();
  if ([account.username.toLowerCase(), email, email.split('@')[0]].includes(lower)) throw new AppError('password.personal');
}
