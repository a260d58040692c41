// Which language a request is answered in: the authorization request's ui_locales, then the
// browser's Accept-Language, then the user's saved preference, then the default setting.

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The first supported language of a list ("fr-CA en", "fr-CH, fr;q=0.9, en;q=0.8"), by weight. */
export function firstSupported(list: string | undefined | null): Locale | undefined {
  if (!list) return undefined;
  const ranked = list
    .split(',')
    .flatMap((chunk) => (chunk.includes(';') ? [chunk] : chunk.trim().split(/\s+/)))
    .filter((part) => part.trim() !== '')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0]!, weight: q === undefined ? 1 : Number(q), index };
    })
    .filter((x) => x.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((x) => x.language).find(isLocale);
}

export interface LocaleSources {
  uiLocales?: string | null;
  acceptLanguage?: string | null;
  saved?: string | null;
  fallback: Locale;
}

export function pickLocale(s: LocaleSources): Locale {
  return firstSupported(s.uiLocales) ?? firstSupported(s.acceptLanguage) ?? (isLocale(s.saved) ? s.saved : undefined) ?? s.fallback;
}
