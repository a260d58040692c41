// The one table of message codes: for each, the words users read and, for an error, its HTTP status
// and its kind. Whether a failure counts towards the lockout is its kind (`factor`), not its status.
// These are the English words; other languages are in the catalogues (src/i18n), keyed by code.

import { messageKey, translator } from '../i18n/i18n.js';
import type { Locale } from '../i18n/locale.js';

/** What sort of failure an error is; the boundary and the lockout read this, never the status. */
export type ErrorKind =
  /** The request or the input is wrong: fix it and try again. */
  | 'mistake'
  /** A factor was presented and failed: counts towards the account's lockout. */
  | 'factor'
  /** Not allowed (locked, forbidden, rate limited, not signed in). */
  | 'denied'
  | 'missing'
  /** Something this server depends on is not reachable now: try again later. */
  | 'unavailable'
  | 'internal';

export interface ErrorEntry {
  text: string;
  status: number;
  kind: ErrorKind;
}

export interface NoticeEntry {
  text: string;
  status?: undefined;
  kind?: undefined;
}

const fail = (status: number, kind: ErrorKind, text: string): ErrorEntry => ({ status, kind, text });
const note = (text: string): NoticeEntry => ({ text });

export const messages = {
  'login.invalid_credentials': fail(401, 'factor', 'The username or password is incorrect.'),
  'login.locked': fail(423, 'denied', 'This account is locked. Try again later or contact your administrator.'),
  'login.disabled': note('The username or password is incorrect.'),
  'login.rate_limited': fail(429, 'denied', 'Too many failed sign-in attempts from your network. Please wait and try again.'),
  'login.tries_under_way': fail(429, 'denied', 'Your last answers are still being checked. Wait a moment and try again.'),
  'login.missing_fields': fail(400, 'mistake', 'Enter your username and password.'),
  'pin.invalid': fail(401, 'factor', 'The PIN is incorrect or has expired.'),
  'pin.too_many_attempts': fail(401, 'factor', 'Too many wrong PINs. Request a new PIN.'),
  'pin.expired': fail(401, 'factor', 'The PIN has expired. Request a new PIN.'),
  'pin.resend_cooldown': fail(429, 'denied', 'Please wait {seconds} seconds before requesting another PIN.'),
  'pin.delivery_failed': fail(400, 'mistake', 'We could not send your PIN. Try again, or choose another way to receive it.'),
  'pin.no_channel': fail(400, 'mistake', 'There is no mobile number or e-mail address on this account to send a PIN to. Contact your administrator.'),
  'pin.email_not_allowed': fail(400, 'mistake', 'Sending the PIN by e-mail is not allowed.'),
  'pin.sent': note('We sent a PIN to {destination}.'),
  'flow.no_method': fail(400, 'mistake', 'No sign-in method is available for this account. Contact your administrator.'),
  'delivery.failed': fail(424, 'unavailable', 'We could not send the message. Try again later.'),
  'totp.invalid': fail(401, 'factor', 'The code is incorrect or has expired. Enter the current code from your soft token.'),
  'totp.locked': fail(423, 'denied', 'Your soft token is locked after too many wrong codes. Try again later or contact your administrator.'),
  'enrol.not_active': fail(400, 'mistake', 'The soft token is not active yet. Finish the activation in your soft token app, then continue.'),
  'enrol.registration_invalid': fail(401, 'factor', 'The registration code is incorrect. Check the code your soft token app shows.'),
  'enrol.expired': fail(400, 'mistake', 'The activation has expired. Start the activation again.'),
  'enrol.mail_sent': note('We sent the activation e-mail to {destination}.'),
  'token.not_found': fail(404, 'missing', 'No such soft token.'),
  'token.name_taken': fail(409, 'mistake', 'You already have a soft token with that name.'),
  'token.invalid_name': fail(400, 'mistake', 'A token name must be 1 to 64 characters long.'),
  'token.last_active': fail(409, 'mistake', 'This is the only active soft token on the account, and the account must have one. Add and activate another token (or add a passkey) first.'),
  'token.not_active': fail(409, 'mistake', 'Only an active soft token can be disabled.'),
  'token.not_disabled': fail(409, 'mistake', 'Only a disabled soft token that still has its secret can be enabled; a token reported lost must be reactivated or deleted.'),
  'token.reset_invalid': fail(400, 'mistake', 'Invalid Response: the two codes are not consecutive codes of this token.'),
  'token.not_pending': fail(409, 'mistake', 'This soft token is not waiting for activation.'),
  'activation.invalid_request': fail(400, 'mistake', 'The activation request is not valid.'),
  'activation.invalid_ticket': fail(403, 'denied', 'This activation link or QR code is not valid.'),
  'activation.expired': fail(410, 'mistake', 'The soft token could not be activated because the activation code has expired. Return to your Identity Provider and attempt the action again.'),
  'activation.invalid_password': fail(403, 'denied', 'The activation password is incorrect.'),
  'activation.invalid_activation_code': fail(403, 'denied', 'The serial number or activation code is incorrect.'),
  'activation.already_used': fail(409, 'mistake', 'This activation has already been used.'),
  'activation.too_many_attempts': fail(403, 'denied', 'Too many wrong tries: this activation is no longer valid. Return to your Identity Provider and reactivate the soft token.'),
  'softtoken.name_taken': fail(409, 'mistake', 'An identity with the specified name already exists.'),
  'softtoken.not_found': fail(404, 'missing', 'There is no identity named "{name}".'),
  'softtoken.vault_locked': fail(400, 'mistake', 'The vault is locked after too many wrong PINs. Run reinitialize to start again; all identities will be lost.'),
  'softtoken.wrong_pin': fail(400, 'mistake', 'The PIN is incorrect. {left} tries left before the vault locks.'),
  'softtoken.pin_invalid': fail(400, 'mistake', 'The PIN must be at least 4 digits (digits only).'),
  'softtoken.pin_mismatch': fail(400, 'mistake', 'The two PINs are not the same. Nothing was changed.'),
  'softtoken.pin_missing': fail(400, 'mistake', 'A PIN is needed: type it, set SOFTTOKEN_PIN, or give it on the first line of standard input.'),
  'softtoken.vault_corrupt': fail(400, 'mistake', 'The vault file {file} is damaged or not a softtoken vault.'),
  'softtoken.invalid_link': fail(400, 'mistake', 'This is not a soft token activation link.'),
  'softtoken.invalid_qr': fail(400, 'mistake', 'This QR code does not hold a soft token activation.'),
  'softtoken.qr_unreadable': fail(400, 'mistake', 'No QR code could be read from {file}.'),
  'softtoken.insecure_address': fail(400, 'mistake', 'The address {address} does not use https; only this computer may be reached over plain http.'),
  'softtoken.unreachable': fail(503, 'unavailable', 'Could not reach {address}: {reason}'),
  'softtoken.bad_response': fail(502, 'unavailable', 'The server at {address} did not answer like an Identity Provider (HTTP {status}).'),
  'softtoken.invalid_name': fail(400, 'mistake', 'An identity name is 1 to 64 characters, without control characters.'),
  'softtoken.invalid_serial': fail(400, 'mistake', 'The serial number is 10 digits.'),
  'softtoken.invalid_activation_code': fail(400, 'mistake', 'The activation code is 16 digits; check it for typing mistakes.'),
  'softtoken.reinitialize_cancelled': fail(400, 'mistake', 'Nothing was deleted.'),
  'qa.too_few': fail(400, 'mistake', 'Choose at least {count} questions and answer each of them.'),
  'qa.invalid_question': fail(400, 'mistake', 'Each question must be 5 to 200 characters long.'),
  'qa.invalid_answer': fail(400, 'mistake', 'Each answer must be 2 to 200 characters long.'),
  'qa.duplicate_question': fail(400, 'mistake', 'Choose a different question for each answer.'),
  'qa.duplicate_answer': fail(400, 'mistake', 'Give a different answer to each question.'),
  'qa.invalid': fail(401, 'factor', 'One or more answers are incorrect.'),
  'qa.saved': note('Your security questions have been saved.'),
  'settings.invalid': fail(400, 'mistake', 'Invalid setting {key}: {reason}.'),
  'settings.saved': note('The settings were saved.'),
  'admin.unauthenticated': fail(401, 'denied', 'Authentication is required: send a bearer access token with the admin scope.'),
  'admin.forbidden': fail(403, 'denied', 'You do not have permission to do that.'),
  'metrics.unauthenticated': fail(401, 'denied', 'Authentication is required: send the metrics bearer token.'),
  'metrics.forbidden': fail(403, 'denied', 'Metrics are not served to this address.'),
  'admin.last_superadmin': fail(409, 'mistake', 'This would leave no super administrator able to sign in. Create or enable another super administrator first.'),
  'group.invalid': fail(400, 'mistake', 'A group name must be 2 to 100 letters, digits, spaces, dots, dashes or underscores.'),
  'group.exists': fail(409, 'mistake', 'A group with that name already exists.'),
  'group.not_found': fail(404, 'missing', 'No such group.'),
  'group.in_use': fail(409, 'mistake', 'This group is in the access rule of {applications}: take it out of the rule first.'),
  'rule.invalid': fail(400, 'mistake', 'The rule is not valid.'),
  'rule.not_allowed': fail(403, 'denied', 'You are not allowed to use this application. Contact your administrator if you need access.'),
  'password.too_short': fail(400, 'mistake', 'The password must be at least {min} characters long.'),
  'password.reused': fail(400, 'mistake', 'The password was used before. Choose a password you have not used recently.'),
  'password.common': fail(400, 'mistake', 'This password is one of the most commonly used (and guessed) passwords. Choose another.'),
  'password.personal': fail(400, 'mistake', 'The password must not be your username or e-mail address.'),
  'login.password_expired': fail(401, 'factor', 'Your temporary password has expired. Ask your administrator to set a new one.'),
  'password.mismatch': fail(400, 'mistake', 'The new password and its confirmation are not the same.'),
  'password.wrong_current': fail(400, 'mistake', 'Your current password is not correct.'),
  'reset.invalid': fail(400, 'mistake', 'This password reset link is not valid: it may have expired, been used already or been replaced by a newer link. Ask your administrator to send a new one.'),
  'reset.pin_required': fail(403, 'denied', 'Enter the one-time PIN we sent you before choosing a new password.'),
  'reset.too_many_attempts': fail(401, 'factor', 'Too many wrong PINs: this password reset link no longer works. Ask your administrator to send a new one.'),
  'reset.mismatch': fail(400, 'mistake', 'The two passwords are not the same.'),
  'reset.user_disabled': fail(409, 'mistake', 'The account is disabled. Enable it before sending a password reset link.'),
  'admin.saved': note('Saved.'),
  'admin.user_created': note('The user was created.'),
  'admin.user_deleted': note('The user was deleted.'),
  'admin.locked': note('The account is locked until an administrator unlocks it.'),
  'admin.unlocked': note('The account is unlocked.'),
  'admin.signed_out': note('Every session of the account has ended: it signs in again everywhere with both factors.'),
  'admin.password_set': note('The password was set.'),
  'admin.reset_link_sent': note('A password reset link was sent to the user by e-mail.'),
  'admin.token_assigned': note('The soft token was assigned and the activation e-mail sent.'),
  'admin.token_reactivated': note('The soft token was reactivated; the old secret no longer works.'),
  'admin.token_completed': note('The soft token activation is complete.'),
  'admin.token_reset': note('The soft token was resynchronised.'),
  'admin.token_deleted': note('The soft token was deleted. If it was the last one, the user sets up a new one at the next sign-in.'),
  'admin.done': note('Done.'),
  'flow.expired': fail(401, 'denied', 'Your sign-in session has expired. Return to the application and start again.'),
  'flow.step_mismatch': fail(409, 'mistake', 'That page is out of date. Please continue from here.'),
  'csrf.invalid': fail(403, 'denied', 'Your form has expired. Reload the page and try again.'),
  'request.invalid': fail(400, 'mistake', 'The request is not valid.'),
  'api.invalid': fail(400, 'mistake', 'Invalid {field}: {reason}.'),
  'request.not_found': fail(404, 'missing', 'The page you asked for does not exist.'),
  'request.too_large': fail(413, 'mistake', 'The request is too large.'),
  'server.error': fail(500, 'internal', 'Something went wrong on our side. Please try again.'),
  'server.unavailable': fail(503, 'unavailable', 'The service is briefly unavailable. Nothing was lost: try again in a moment.'),
  'flow.unmet': fail(403, 'denied', 'This application needs a stronger sign-in than this account can give (for example a passkey). Contact your administrator.'),
  'oidc.error': fail(400, 'mistake', 'The application sent a request that cannot be completed.'),
  'user.invalid': fail(400, 'mistake', 'Invalid {field}: {reason}.'),
  'user.exists': fail(409, 'mistake', 'A user with that username or e-mail address already exists.'),
  'user.not_found': fail(404, 'missing', 'No such user.'),
  'client.invalid': fail(400, 'mistake', 'Invalid client: {reason}.'),
  'client.exists': fail(409, 'mistake', 'A client with that id already exists.'),
  'client.not_found': fail(404, 'missing', 'No such application.'),
  'client.public_no_secret': fail(409, 'mistake', 'This application has no secret to rotate: it is public, or signs its requests with its own key.'),
  'client.built_in': fail(409, 'mistake', 'This is the identity provider console application; it cannot be changed or deleted.'),
  'consent.denied': fail(403, 'denied', 'You declined to share your information with the application.'),
  'portal.not_available': fail(403, 'denied', 'My Profile is not available for this account. Contact your administrator.'),
  'portal.reauth_required': fail(401, 'denied', 'For your security, confirm it is you (sign in again with your password and second factor) before making this change.'),
  'portal.choose_device': fail(400, 'mistake', 'Choose whether the soft token goes on a mobile device or a desktop computer.'),
  'portal.choose_method': fail(400, 'mistake', 'Choose how to activate the soft token.'),
  'portal.token_started': note('The soft token was added. Activate it to start using it.'),
  'portal.token_added': note('Your soft token is active.'),
  'portal.token_reactivated': note('The soft token was reactivated; its old secret no longer works. Activate it again.'),
  'portal.token_renamed': note('The soft token was renamed.'),
  'portal.token_disabled': note('The soft token was disabled.'),
  'portal.token_enabled': note('The soft token was enabled.'),
  'portal.token_deleted': note('The soft token was deleted.'),
  'portal.questions_changed': note('Your security questions were changed.'),
  'portal.language_saved': note('Your language was saved.'),
  'portal.password_changed': note('Your password was changed. Every session of your account has ended: sign in with the new password.'),
  'passkey.invalid': fail(401, 'factor', 'The passkey could not be verified. Try again, or choose another way to sign in.'),
  'passkey.unknown': fail(401, 'mistake', 'This passkey is not registered with us. Sign in with your password, or use another passkey.'),
  'passkey.replayed': fail(401, 'factor', 'This passkey response was already used or has expired. Try again.'),
  'passkey.counter': fail(401, 'factor', 'This passkey reported a signature counter lower than before, a sign that it may have been copied. It was refused; contact your administrator.'),
  'passkey.cancelled': fail(400, 'mistake', 'The passkey request was cancelled or timed out. Try again, or choose another way to sign in.'),
  'passkey.registration_invalid': fail(400, 'mistake', 'The new passkey could not be registered. Try again.'),
  'passkey.exists': fail(409, 'mistake', 'This passkey is already registered.'),
  'passkey.not_found': fail(404, 'missing', 'No such passkey.'),
  'passkey.invalid_name': fail(400, 'mistake', 'A passkey name must be 1 to 64 characters long.'),
  'passkey.name_taken': fail(409, 'mistake', 'You already have a passkey with that name.'),
  'passkey.last_way_in': fail(409, 'mistake', 'This is the last way to complete a sign-in on this account. Add another passkey or soft token first.'),
  'passkey.registered': note('Your passkey was added.'),
  'passkey.renamed': note('The passkey was renamed.'),
  'passkey.deleted': note('The passkey was deleted.'),
  'passkey.device_this-device': note('This device'),
  'passkey.device_security-key': note('Security key'),
  'passkey.device_phone': note('Phone'),
  'passkey.device_unknown': note('Unknown device'),
  'passkey.synced': note('synced'),
  'admin.passkey_deleted': note('The passkey was deleted. If it was the last way in, the user sets up a new one at the next sign-in.'),
  'console.sign_in_failed': fail(400, 'mistake', 'The sign-in did not complete. Please try again.'),
  'recovery_code.invalid': fail(401, 'factor', 'The recovery code is incorrect or was already used.'),
  'recovery_code.voided': note('The recovery codes were voided: none of them works any more.'),
  'recovery_code.confirm': fail(400, 'mistake', 'Tick the box to confirm that the recovery codes should be voided.'),
  'forgot.missing_login': fail(400, 'mistake', 'Enter your username or e-mail address.'),
  'forgot.rate_limited': fail(429, 'denied', 'Too many attempts to reset this password, or from your network. Please wait and try again later, or contact the help desk.'),
  'forgot.pin_sent': note('If this account can receive a one-time PIN, it is on its way.'),
  'forgot.done': note('Your password was changed. Sign in with your new password.'),
  'login.tries_left': note('Wrong answers left before the account is locked: {left}.'),
  'protocol.post_expired': fail(400, 'mistake', 'This sign-in or sign-out request has expired. Return to the application and start again.'),
  'resource.invalid': fail(400, 'mistake', 'Invalid resource server: {reason}.'),
  'resource.exists': fail(409, 'mistake', 'A resource server with that identifier already exists.'),
  'resource.not_found': fail(404, 'missing', 'No such resource server.'),
  'resource.credentials': fail(409, 'mistake', 'This application holds a resource server\'s credentials: manage it from the resource server.'),
  'device.code_invalid': note('That code is not valid. Check the code your device shows and try again.'),
  'device.code_expired': note('That code has expired. Start again on your device.'),
  'device.code_used': note('That code was already used. Start again on your device.'),
  'device.aborted': note('The sign-in was cancelled. Start again on your device if you want to sign in.'),
  'device.failed': note('The sign-in could not be completed. Start again on your device.'),
} satisfies Record<string, ErrorEntry | NoticeEntry>;

export type MessageCode = keyof typeof messages;

export function entryFor(code: MessageCode): ErrorEntry | NoticeEntry {
  return messages[code];
}

/** The words for a code, in English unless another language is asked for (from its catalogue). */
export function messageFor(code: MessageCode, params: Record<string, string | number> = {}, locale: Locale = 'en'): string {
  if (locale !== 'en') return translator(locale)(messageKey(code), params);
  return messages[code].text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}
