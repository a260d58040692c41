// An API's access token lifetime as the console shows and takes it: minutes or hours (stored in seconds),
// in the units the Settings page uses.
import { UNITS } from './settings-form.js';

export const LIFETIME_UNITS = UNITS.filter((u) => u.id !== 'days');

export interface ShownLifetime {
  value: string;
  unit: string;
}

/** Hours when the lifetime is a whole number of them, minutes otherwise. */
export function shownLifetime(seconds: number): ShownLifetime {
  const unit = [...LIFETIME_UNITS].reverse().find((u) => seconds > 0 && seconds % u.seconds === 0) ?? LIFETIME_UNITS[0]!;
  return { value: String(Math.round((seconds / unit.seconds) * 100) / 100), unit: unit.id };
}

/**
 * Seconds from the number typed and its unit. Without a unit (a client posting the stored value), the
 * number is in seconds; an unreadable number is NaN, for the API's schema to refuse.
 */
export function lifetimeSeconds(raw: string, unitId: string): number {
  const text = raw.trim().replace(',', '.');
  const n = text === '' ? NaN : Number(text);
  const unit = LIFETIME_UNITS.find((u) => u.id === unitId);
  return unit && !Number.isNaN(n) ? Math.round(n * unit.seconds) : n;
}
