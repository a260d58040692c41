// Words of the error and confirmation pages that are not an error code's own text: titles, the
// ways on, a lock's end. A plain table (the catalogues take it over with the rest); `{name}` is filled in.
export const pageMessages = {
  'page.title_not_found': 'We could not find that page',
  'page.title_expired': 'Your sign-in has expired',
  'page.title_locked': 'This account is locked',
  'page.title_unavailable': 'Please try again in a moment',
  'page.title_error': 'Something went wrong',
  'page.title_refused': 'We could not do that',
  'page.locked_for': 'This account is locked. It stays locked for {duration}; after that, sign in again.',
  'page.locked_until_unlocked': 'This account is locked. It stays locked until an administrator unlocks it.',
  'page.locked_what_to_do': 'If you have forgotten your password, choose “I have forgotten my password” on the sign-in page once the lock ends. If you did not make these attempts, tell your administrator.',
  'page.expired_what_to_do': 'Nothing was lost: start the sign-in again from the beginning.',
  'page.form_expired': 'Your form has expired. Nothing was sent: fill it in again and send it.',
  'page.way_restart': 'Start the sign-in again',
  'page.way_application': 'Return to {client}',
  'page.way_profile': 'Go to My Profile',
  'page.way_console': 'Back to the console',
  'page.way_back_profile': 'Back to My Profile',
  'page.way_retry': 'Try again',
  'page.duration_minute': '1 minute',
  'page.duration_minutes': '{n} minutes',
  'page.duration_hour': '1 hour',
  'page.duration_hours': '{n} hours',
  'page.duration_day': '1 day',
  'page.duration_days': '{n} days',
} as const;

export type PageMessageCode = keyof typeof pageMessages;

export function pageText(code: PageMessageCode, params: Record<string, string | number> = {}): string {
  return pageMessages[code].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}

/** A span of time in the largest whole unit that says it, rounded up (a lock of 14 min 10 s is "15 minutes"). */
export function durationInWords(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 120 && minutes % 60 !== 0) return minutes === 1 ? pageText('page.duration_minute') : pageText('page.duration_minutes', { n: minutes });
  const hours = Math.ceil(minutes / 60);
  if (hours < 48 && hours % 24 !== 0) return hours === 1 ? pageText('page.duration_hour') : pageText('page.duration_hours', { n: hours });
  const days = Math.ceil(hours / 24);
  return days === 1 ? pageText('page.duration_day') : pageText('page.duration_days', { n: days });
}
