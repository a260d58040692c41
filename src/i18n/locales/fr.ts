// The French catalogue: page, e-mail and SMS texts, and the message table's texts by code (`msg.<code>`).
import { frAccount } from './fr-account.js';
import { frConsole } from './fr-console.js';
import { frConsolePolicy } from './fr-console-policy.js';
import { frMail } from './fr-mail.js';
import { frMessages } from './fr-messages.js';
import { frPages } from './fr-pages.js';
import { frSignIn } from './fr-signin.js';

export const fr: Record<string, string> = {
  ...frSignIn,
  ...frAccount,
  ...frMail,
  ...frPages,
  ...frConsole,
  ...frConsolePolicy,
  ...Object.fromEntries(Object.entries(frMessages).map(([code, text]) => [`msg.${code}`, text])),
};
