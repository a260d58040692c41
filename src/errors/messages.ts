// The one table from error and notice codes to the words users read.
export const messages = {
  'login.invalid_credentials': 'The username or password is incorrect.',
  'login.locked': 'This account is locked. Try again later or contact your administrator.',
  'login.disabled': 'The username or password is incorrect.',
  'login.rate_limited': 'Too many failed sign-in attempts from your network. Please wait and try again.',
  'login.missing_fields': 'Enter your username and password.',
  'pin.invalid': 'The PIN is incorrect or has expired.',
  'pin.too_many_attempts': 'Too many wrong PINs. Request a new PIN.',
  'pin.expired': 'The PIN has expired. Request a new PIN.',
  'pin.resend_cooldown': 'Please wait {seconds} seconds before requesting another PIN.',
  'pin.delivery_failed': 'We could not send your PIN. Try again, or choose another way to receive it.',
  'pin.no_channel': 'There is no mobile number or e-mail address on this account to send a PIN to. Contact your administrator.',
  'pin.email_not_allowed': 'Sending the PIN by e-mail is not allowed.',
  'pin.sent': 'We sent a PIN to {destination}.',
  'flow.expired': 'Your sign-in session has expired. Return to the application and start again.',
  'flow.step_mismatch': 'That page is out of date. Please continue from here.',
  'csrf.invalid': 'Your form has expired. Reload the page and try again.',
  'request.invalid': 'The request is not valid.',
  'request.not_found': 'The page you asked for does not exist.',
  'request.too_large': 'The request is too large.',
  'server.error': 'Something went wrong on our side. Please try again.',
  'oidc.error': 'The application sent a request that cannot be completed.',
  'user.invalid': 'Invalid {field}: {reason}.',
  'user.exists': 'A user with that username or e-mail address already exists.',
  'user.not_found': 'No such user.',
  'client.invalid': 'Invalid client: {reason}.',
  'client.exists': 'A client with that id already exists.',
  'consent.denied': 'You declined to share your information with the application.',
  'demo.failed': 'The demo sign-in did not complete.',
} as const;

export type MessageCode = keyof typeof messages;

export function messageFor(code: MessageCode, params: Record<string, string | number> = {}): string {
  return messages[code].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}
