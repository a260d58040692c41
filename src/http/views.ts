// The nunjucks environment for pages and message templates (autoescaped). Texts come from the
// catalogues through `t(key, params)`: a page renders with `localeLocals(locale)` in its context;
// without one (e-mails rendered elsewhere) `t` answers in the default language.
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { messageFor, type MessageCode } from '../errors/messages.js';
import { hasText, type Params, type Translate, translator } from '../i18n/i18n.js';
import { isLocale, type Locale, pickLocale } from '../i18n/locale.js';
import { projectRoot } from '../support/project-root.js';

/** The settings pages read (a live view of the configuration: the console may change them). */
export interface SiteSettings {
  brand: { name: string; logoUrl: string };
  i18n: { defaultLocale: Locale };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

const SILENT_AMR = new Set(['mfa', 'user']);

const DEFAULT_SITE: SiteSettings = { brand: { name: 'Identity Provider', logoUrl: '' }, i18n: { defaultLocale: 'en' } };

const utcText = (ms: number): string => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;

/** What a page needs to speak one language. */
export interface LocaleLocals {
  t: (key: string, params?: Params) => nunjucks.runtime.SafeString;
  lang: Locale;
}

export function createViews(dir = join(projectRoot, 'views'), site: SiteSettings = DEFAULT_SITE): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), { autoescape: true });
  useSite(env, site);
  const langOf = (ctx: { lang?: unknown } | undefined): Locale => (isLocale(ctx?.lang) ? ctx.lang : siteOf(env).i18n.defaultLocale);
  env.addGlobal('t', (key: string, params?: Params) => localeLocals(siteOf(env).i18n.defaultLocale).t(key, params));
  // Filters run with the render context as `this`: a page's language is its `lang`.
  env.addFilter('message', function (this: { ctx?: { lang?: unknown } }, code: MessageCode, params?: Params) {
    return messageFor(code, params, langOf(this?.ctx));
  });
  /** A protocol value's plain name (`key` in the catalogue), or the value itself when it has none. */
  const plain = (lang: Locale, key: string, value: string): string => (hasText(lang, key) ? translator(lang)(key) : value);
  // The factors of a sign-in (RFC 8176 amr values) by their plain names; "mfa" and "user" say nothing more.
  env.addFilter('factors', function (this: { ctx?: { lang?: unknown } }, amr: string[]) {
    const lang = langOf(this?.ctx);
    return [...new Set(amr.filter((a) => !SILENT_AMR.has(a)).map((a) => plain(lang, `factor.${a}`, a)))].join(', ');
  });
  env.addFilter('scope', function (this: { ctx?: { lang?: unknown } }, scope: string) {
    return plain(langOf(this?.ctx), `scope.${scope}`, scope);
  });
  env.addFilter('datetime', utcText);
  // A time the reader's browser shows in its own zone (views/static/local-time.js), in UTC without script.
  env.addFilter('localtime', (ms: number) => new nunjucks.runtime.SafeString(`<time datetime="${new Date(ms).toISOString()}" class="local-time">${utcText(ms)}</time>`));
  return env;
}

/** Gives the views the live settings (product name, logo, default language). */
export function useSite(env: nunjucks.Environment, site: SiteSettings): void {
  env.addGlobal('site', site);
}

export function siteOf(env: nunjucks.Environment): SiteSettings {
  return env.getGlobal('site') as SiteSettings;
}

export function localeLocals(locale: Locale): LocaleLocals {
  return { t: htmlText(translator(locale)), lang: locale };
}

/**
 * Catalogue texts for the autoescaped views: the parameters are escaped, the text is not — it is
 * ours, and may hold markup (<strong>); test/unit/i18n.test.ts keeps quotes and stray `<`/`&` out
 * of it. A safe string is not escaped twice when passed on as another text's parameter.
 */
function htmlText(translate: Translate): LocaleLocals['t'] {
  const escapeValue = (v: unknown) => (typeof v === 'number' ? v : v instanceof nunjucks.runtime.SafeString ? v.toString() : escapeHtml(String(v)));
  return (key, params) =>
    new nunjucks.runtime.SafeString(params ? translate(key, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, escapeValue(v)]))) : translate(key));
}

/** What a page outside a sign-in needs to speak its reader's language (the browser's, else the default). */
export function browserLocals(env: nunjucks.Environment, ctx: { get(header: string): string }): LocaleLocals {
  return localeLocals(requestLocale(env, { acceptLanguage: ctx.get('accept-language') }));
}

/** The language of a page request: ui_locales (sign-in), Accept-Language, the saved preference, the default. */
export function requestLocale(env: nunjucks.Environment, sources: { uiLocales?: unknown; acceptLanguage?: string; saved?: string | null }): Locale {
  return pickLocale({
    uiLocales: typeof sources.uiLocales === 'string' ? sources.uiLocales : undefined,
    acceptLanguage: sources.acceptLanguage,
    saved: sources.saved,
    fallback: siteOf(env).i18n.defaultLocale,
  });
}
