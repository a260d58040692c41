// Drives a sign-in as far as the user gets with a password and an e-mailed PIN (the PIN read from
// the SMTP capture), and returns the page that follows; for tests of what an application's rule
// or the settings do to the flow.
import { mailText } from './mail-text.js';
import { type Authorization, isCallback, openLogin } from './relying-party.js';
import { pinFrom, type SmtpCapture } from './smtp-capture.js';
import type { Page, UserAgent } from './user-agent.js';

export interface PinSignIn {
  /** The page after the password: the PIN page, or whatever stopped the user. */
  afterPassword: Page;
  pin?: string;
  /** The page after the PIN (status 0 and the callback URL when the flow went back to the application). */
  afterPin?: Page;
}

export async function signInByEmailPin(agent: UserAgent, auth: Authorization, login: string, password: string, email: string, smtp: SmtpCapture): Promise<PinSignIn> {
  const seen = smtp.messages.length;
  const loginPage = await openLogin(agent, auth);
  const afterPassword = await agent.follow(await agent.submit(loginPage, '/step/password', { login, password }), isCallback);
  if (!afterPassword.html.includes('name="pin"')) return { afterPassword };
  const pin = pinFrom(mailText((await smtp.next(email, seen)).raw));
  const afterPin = await agent.follow(await agent.submit(afterPassword, '/step/pin', { action: 'verify', pin }), isCallback);
  return { afterPassword, pin, afterPin };
}
