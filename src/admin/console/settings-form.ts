// The Settings page in plain units: durations in minutes, hours or days (stored in seconds), choices as
// select lists, yes/no as Yes/No — and the posted form turned back into the values the settings store.
// Labels, units and choices are the catalogue's (`console.setting.<key>`, `console.unit.<id>`,
// `console.choice.<key>.<value>`), in the reader's language; English by default.
import { z } from 'zod';
import { type Translate, translator } from '../../i18n/i18n.js';
import { settingsRegistry, type SettingKey } from '../../settings/settings.registry.js';

/** Settings kept in seconds; the page shows and takes them in a unit a person thinks in. */
const DURATIONS = new Set<string>(['token.activationTtl', 'pin.ttl', 'lockout.duration', 'session.ttl']);

/** Units by id; the page names them `console.unit.<id>`. */
export const UNITS = [
  { id: 'minutes', seconds: 60 },
  { id: 'hours', seconds: 3600 },
  { id: 'days', seconds: 86_400 },
] as const;

export interface SettingRow {
  key: string;
  /** Form field name: dots would read as nesting to the body parser. */
  field: string;
  label: string;
  kind: 'yesno' | 'choice' | 'duration' | 'text';
  value: string;
  choices?: { value: string; label: string }[];
  unit?: string;
  defaultText: string;
  overridden: boolean;
}

interface Listed {
  key: string;
  label: string;
  value: unknown;
  defaultValue: unknown;
  overridden: boolean;
}

/** English, the default (looked up at use: the catalogues load on first use). */
const english: Translate = (key, params) => translator('en')(key, params);

export const formName = (key: string): string => key.replace(/\./g, '__');

/** The values a setting may take, when it is a list (an enumeration, or a union of literals). */
function choicesOf(key: string): (string | number)[] | undefined {
  const schema = settingsRegistry[key as SettingKey]?.schema;
  if (schema instanceof z.ZodEnum) return schema.options as string[];
  if (schema instanceof z.ZodUnion) {
    const values = schema.options.map((o) => (o instanceof z.ZodLiteral ? o.value : undefined));
    if (values.every((v) => typeof v === 'string' || typeof v === 'number')) return values as (string | number)[];
  }
  return undefined;
}

/** The largest unit in which the duration is a whole number (minutes otherwise, as a decimal). */
function bestUnit(seconds: number): (typeof UNITS)[number] {
  return [...UNITS].reverse().find((u) => seconds > 0 && seconds % u.seconds === 0) ?? UNITS[0];
}

/** A duration in words: "15 minutes", "1 hour", or that a lock lasts until an administrator ends it. */
export function durationText(seconds: number, key?: string, t: Translate = english): string {
  if (seconds === 0 && key === 'lockout.duration') return t('console.settings.until_unlocked');
  const unit = bestUnit(seconds);
  const count = Math.round((seconds / unit.seconds) * 100) / 100;
  return t(`console.duration.${unit.id}`, { count });
}

/** The catalogue's text for `key`, or `fallback` when it has none. */
const textOr = (t: Translate, key: string, fallback: string) => {
  const text = t(key);
  return text === key ? fallback : text;
};

/** A setting's label: the catalogue's, else the registry's without its "(seconds)" (a setting added without a text). */
const labelOf = (s: Listed, t: Translate) => textOr(t, `console.setting.${s.key}`, s.label.replace(/\s*\(seconds[^)]*\)/, ''));

export function settingRows(listed: Listed[], t: Translate = english): SettingRow[] {
  const yesNo = (v: unknown) => t(v ? 'console.yes' : 'console.no');
  const choice = (key: string, v: unknown) => textOr(t, `console.choice.${key}.${String(v)}`, String(v));
  return listed.map((s) => {
    const base = { key: s.key, field: formName(s.key), label: labelOf(s, t), overridden: s.overridden };
    if (typeof s.value === 'boolean') {
      return { ...base, kind: 'yesno', value: String(s.value), choices: ['true', 'false'].map((v) => ({ value: v, label: yesNo(v === 'true') })), defaultText: yesNo(s.defaultValue) };
    }
    const choices = choicesOf(s.key);
    if (choices) return { ...base, kind: 'choice', value: String(s.value), choices: choices.map((c) => ({ value: String(c), label: choice(s.key, c) })), defaultText: choice(s.key, s.defaultValue) };
    if (DURATIONS.has(s.key) && typeof s.value === 'number') {
      const unit = bestUnit(s.value);
      return { ...base, kind: 'duration', value: String(Math.round((s.value / unit.seconds) * 100) / 100), unit: unit.id, defaultText: durationText(Number(s.defaultValue), s.key, t) };
    }
    return { ...base, kind: 'text', value: String(s.value), defaultText: String(s.defaultValue) };
  });
}

/**
 * The changes a posted form asks for, as the settings store takes them: numbers as numbers, yes/no as
 * booleans, a duration in seconds. Anything unreadable is passed on as sent, for the store to refuse by name.
 */
export function settingsPatch(listed: Listed[], sent: (name: string) => string): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const s of listed) {
    const raw = sent(formName(s.key));
    if (raw === '') continue;
    let value: unknown = raw;
    if (typeof s.value === 'boolean') value = raw === 'true' ? true : raw === 'false' ? false : raw;
    else if (typeof s.value === 'number') {
      const n = Number(raw.trim().replace(',', '.'));
      const unit = UNITS.find((u) => u.id === sent(`${formName(s.key)}__unit`));
      // Without a unit (a client posting the stored value), the number is in seconds.
      value = raw.trim() === '' || Number.isNaN(n) ? NaN : DURATIONS.has(s.key) && unit ? Math.round(n * unit.seconds) : n;
    }
    if (value !== s.value) patch[s.key] = value;
  }
  return patch;
}
