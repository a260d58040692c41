// The catalogues: every message code and every text in English and French with the same placeholders,
// every key a page asks for exists, no key is left unused, the console's views show no text of their
// own, and the language of a request is chosen in the documented order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { messageFor, messages, type MessageCode } from '../../src/errors/messages.js';
import { catalogues, translator } from '../../src/i18n/i18n.js';
import { firstSupported, pickLocale } from '../../src/i18n/locale.js';
import { durationInWords, lockedText } from '../../src/i18n/lock-words.js';
import { NOTICE_KINDS } from '../../src/notices/security-notice.service.js';

const root = join(import.meta.dirname, '..', '..');
const { en, fr } = catalogues();
const codes = Object.keys(messages) as MessageCode[];
const PLURAL = /_(zero|one|two|few|many|other)$/;
const baseOf = (key: string) => key.replace(PLURAL, '');

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

// Where the catalogues are read from: the views and the code (the catalogues themselves excluded).
const sources = [...filesUnder(join(root, 'views'), '.njk'), ...filesUnder(join(root, 'src'), '.ts').filter((f) => !f.includes(join('src', 'i18n', 'locales')))]
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');
/** Every quoted string in the sources ('…', "…" or `…` without interpolation). */
const literals = new Set([...sources.matchAll(/'([\w.-]+)'|"([\w.-]+)"|`([\w.-]+)`/g)].map((m) => m[1] ?? m[2] ?? m[3]!));
/** Keys built at run time: 'factor.' + amr, `mail.subject.${template}`. */
const prefixes = [...sources.matchAll(/'([\w-]+\.[\w.-]*)'\s*\+|`([\w-]+\.[\w.-]*)\$\{/g)].map((m) => m[1] ?? m[2]!);
/** The keys pages ask for by name: t('…'). */
const asked = [...sources.matchAll(/\bt\('([\w.-]+)'(?!\s*\+)/g)].map((m) => m[1]!);

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message codes', () => {
  it.each(codes)('%s has an English and a French text with the same placeholders', (code) => {
    const english = messages[code].text;
    const french = fr[`msg.${code}`];
    expect(english.trim()).not.toBe('');
    expect(french?.trim()).toBeTruthy();
    expect(french).not.toBe(english === french ? undefined : english);
    expect(placeholders(french!)).toEqual(placeholders(english));
  });

  it('has no French text for a code the table no longer has', () => {
    const stale = Object.keys(fr).filter((k) => k.startsWith('msg.') && !(k.slice(4) in messages));
    expect(stale).toEqual([]);
  });

  it('answers in French when asked, in English by default, with the parameters filled in', () => {
    expect(messageFor('pin.resend_cooldown', { seconds: 12 })).toBe('Please wait 12 seconds before requesting another PIN.');
    expect(messageFor('pin.resend_cooldown', { seconds: 12 }, 'fr')).toBe('Patientez 12 secondes avant de demander un autre code PIN.');
    expect(messageFor('pin.sent', { destination: 'h•••@example.com' }, 'en')).toBe('We sent a PIN to h•••@example.com.');
    // A code whose parameter is named count is not taken for a plural.
    expect(messageFor('qa.too_few', { count: 3 }, 'fr')).toBe('Choisissez au moins 3 questions et répondez à chacune.');
  });
});

describe('catalogues', () => {
  const pageKeys = (c: Record<string, string>) => Object.keys(c).filter((k) => !k.startsWith('msg.'));

  it('have the same keys in English and French', () => {
    expect(pageKeys(fr).sort()).toEqual(pageKeys(en).sort());
  });

  it.each(pageKeys(en))('%s has the same placeholders in both languages and no stray markup', (key) => {
    expect(en[key]!.trim()).not.toBe('');
    expect(fr[key]!.trim()).not.toBe('');
    expect(placeholders(fr[key]!)).toEqual(placeholders(en[key]!));
    // Texts reach the pages unescaped (only their parameters are escaped): markup is limited to these tags.
    for (const text of [en[key]!, fr[key]!]) expect(text.replace(/<\/?strong>|<a href="\{href\}">|<\/a>/g, '')).not.toMatch(/[<>&"]/);
  });

  it('have a text for every key a page or message asks for', () => {
    const missing = [...new Set(asked)].filter((key) => !(key in en) && !(`${key}_one` in en && `${key}_other` in en));
    expect(missing).toEqual([]);
  });

  it('have no unused keys', () => {
    const used = (key: string) => literals.has(key) || literals.has(baseOf(key)) || prefixes.some((p) => key.startsWith(p));
    expect(pageKeys(en).filter((key) => !used(key))).toEqual([]);
  });

  it('have both plural forms wherever there is one', () => {
    for (const c of [en, fr]) {
      const plural = pageKeys(c).filter((k) => PLURAL.test(k)).map(baseOf);
      for (const base of plural) expect({ base, one: `${base}_one` in c, other: `${base}_other` in c }).toEqual({ base, one: true, other: true });
    }
  });

  it('have the words of every security notice and the subject of every e-mail', () => {
    const mails = readdirSync(join(root, 'views', 'mail')).filter((f) => f.endsWith('.text.njk')).map((f) => f.replace('.text.njk', ''));
    expect(mails.length).toBeGreaterThan(3);
    const keys = [...NOTICE_KINDS.map((k) => `notice.${k}`), ...mails.map((m) => `mail.subject.${m}`)];
    for (const c of [en, fr]) expect(keys.filter((k) => !c[k])).toEqual([]);
  });

  it('picks the plural form by count', () => {
    expect(translator('en')('pin.expires_in', { count: 1 })).toBe('It expires in 1 minute.');
    expect(translator('en')('pin.expires_in', { count: 5 })).toBe('It expires in 5 minutes.');
    expect(translator('fr')('pin.expires_in', { count: 5 })).toBe('Il expire dans 5 minutes.');
  });
});

describe('the console views', () => {
  const dir = join(root, 'views', 'admin');
  const views = readdirSync(dir).filter((f) => f.endsWith('.njk'));
  const source = (file: string) => readFileSync(join(dir, file), 'utf8').replace(/\{#[\s\S]*?#\}/g, ' ');
  /** Template code: {{ … }} and {% … %}. */
  const code = (text: string) => [...text.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)].map((m) => m[0]);
  /** What a person reads once template code and tags are gone. */
  const visible = (text: string) => text.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, ' ').replace(/<[^>]*>/g, ' ');
  /** Protocol identifiers shown as they are. */
  const TECHNICAL = new Set(['RS256', 'ES256']);
  const words = (text: string) => (text.match(/[\p{L}\d_'’-]*\p{L}[\p{L}\d_'’-]*/gu) ?? []).filter((w) => !TECHNICAL.has(w));

  it('are all checked', () => {
    expect(views.length).toBeGreaterThan(10);
  });

  it.each(views)('%s shows no text outside t(…): text between tags is empty or template code', (file) => {
    expect(words(visible(source(file)))).toEqual([]);
  });

  it.each(views)('%s names things for assistive technology through t(…) (aria-label, title, alt)', (file) => {
    const attributes = [...source(file).matchAll(/\b(?:aria-label|title|alt)="([^"]*)"/g)].map((m) => m[1]!);
    expect(attributes.flatMap((value) => words(value.replace(/\{\{[\s\S]*?\}\}/g, ' ')))).toEqual([]);
  });

  it.each(views)('%s keeps no sentence or capitalised word in its template code (texts are catalogue keys)', (file) => {
    const strings = code(source(file)).flatMap((c) => [...c.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]!));
    const prose = strings.filter((text) => !text.startsWith('<code>') && (/\p{L}\s+\p{L}/u.test(text) || /^\p{Lu}\p{Ll}/u.test(text)));
    expect(prose).toEqual([]);
  });
});

describe("a lock's end in words", () => {
  it.each([
    [30_000, '1 minute', '1 minute'],
    [14 * 60_000 + 10_000, '15 minutes', '15 minutes'],
    [60 * 60_000, '1 hour', '1 heure'],
    [5 * 3600_000, '5 hours', '5 heures'],
    [24 * 3600_000, '1 day', '1 jour'],
    [3 * 86_400_000, '3 days', '3 jours'],
  ])('%i ms is "%s" and "%s"', (ms, english, french) => {
    expect(durationInWords(ms, 'en')).toBe(english);
    expect(durationInWords(ms, 'fr')).toBe(french);
  });

  it('says how long a lock lasts, or that an administrator ends it, in either language', () => {
    expect(lockedText({ lockLeftMs: 900_000 }, 'en')).toBe('This account is locked. It stays locked for 15 minutes; after that, sign in again.');
    expect(lockedText({ lockLeftMs: 2 * 3600_000 }, 'fr')).toBe('Ce compte est verrouillé. Il le reste pendant 2 heures ; ensuite, connectez-vous à nouveau.');
    expect(lockedText({ untilUnlocked: 1 }, 'fr')).toBe("Ce compte est verrouillé. Il le reste jusqu'à ce qu'un administrateur le déverrouille.");
    expect(lockedText({}, 'en')).toBeUndefined();
  });
});

describe('the language of a request', () => {
  it.each([
    ['ui_locales first', { uiLocales: 'fr-CA en', acceptLanguage: 'en', saved: 'en', fallback: 'en' as const }, 'fr'],
    ['an unsupported ui_locales is skipped', { uiLocales: 'de', acceptLanguage: 'fr', saved: 'en', fallback: 'en' as const }, 'fr'],
    ['then Accept-Language, by weight', { acceptLanguage: 'de;q=1, en;q=0.5, fr;q=0.8', saved: 'en', fallback: 'en' as const }, 'fr'],
    ['then the saved preference', { acceptLanguage: 'de, it;q=0.5', saved: 'fr', fallback: 'en' as const }, 'fr'],
    ['then the default', { acceptLanguage: '', saved: null, fallback: 'fr' as const }, 'fr'],
    ['a saved value that is no language is ignored', { saved: 'xx', fallback: 'en' as const }, 'en'],
  ])('%s', (_, sources, expected) => {
    expect(pickLocale(sources)).toBe(expected);
  });

  it('reads region tags and zero weights', () => {
    expect(firstSupported('fr-CH, fr;q=0.9')).toBe('fr');
    expect(firstSupported('fr;q=0, en')).toBe('en');
    expect(firstSupported('*')).toBeUndefined();
  });
});
