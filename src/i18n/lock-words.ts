// A lock's end in the reader's words: "locked for 15 minutes", or until an administrator unlocks it.
import { translator } from './i18n.js';
import type { Locale } from './locale.js';

/** What a lock leaves to wait: `lockLeftMs`, or `untilUnlocked` (the parameters SignInWaysOut puts on a login.locked error). */
export interface LockLeft {
  lockLeftMs?: string | number;
  untilUnlocked?: string | number;
}

/** A span of time in the largest whole unit that says it, rounded up (a lock of 14 min 10 s is "15 minutes"). */
export function durationInWords(ms: number, locale: Locale = 'en'): string {
  const t = translator(locale);
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 120 && minutes % 60 !== 0) return t('page.duration_minutes', { count: minutes });
  const hours = Math.ceil(minutes / 60);
  if (hours < 48 && hours % 24 !== 0) return t('page.duration_hours', { count: hours });
  return t('page.duration_days', { count: Math.ceil(hours / 24) });
}

/** How long the account stays locked, or nothing when the lock's end is not known. */
export function lockedText(lock: LockLeft, locale: Locale): string | undefined {
  const t = translator(locale);
  if (typeof lock.lockLeftMs === 'number') return t('page.locked_for', { duration: durationInWords(lock.lockLeftMs, locale) });
  if (lock.untilUnlocked) return t('page.locked_until_unlocked');
  return undefined;
}

/** What to do about a lock (the forgotten password once it ends, the administrator otherwise). */
export function lockedWhatToDo(locale: Locale): string {
  return translator(locale)('page.locked_what_to_do');
}
