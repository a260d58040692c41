// The English catalogue of page, e-mail and SMS texts (message-table texts come from src/errors/messages.ts).
import { enAccount } from './en-account.js';
import { enConsole } from './en-console.js';
import { enConsolePolicy } from './en-console-policy.js';
import { enMail } from './en-mail.js';
import { enPages } from './en-pages.js';
import { enSignIn } from './en-signin.js';

export const en: Record<string, string> = { ...enSignIn, ...enAccount, ...enMail, ...enPages, ...enConsole, ...enConsolePolicy };
