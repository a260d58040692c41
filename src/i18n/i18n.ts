// The message catalogues, loaded once into one i18next instance. Page texts live in locales/*.ts;
// error and notice texts are keyed by their code (`msg.<code>`): English from the message table,
// the other languages from their catalogue.
import i18next, { type i18n } from 'i18next';
import { messages, type MessageCode } from '../errors/messages.js';
import { type Locale, LOCALES } from './locale.js';
import { en } from './locales/en.js';
import { fr } from './locales/fr.js';

export type Params = Record<string, string | number>;
/** A text by key in one language; `count` picks the plural form (`key_one`, `key_other`). */
export type Translate = (key: string, params?: Params) => string;

const MESSAGE_PREFIX = 'msg.';

export const messageKey = (code: MessageCode): string => MESSAGE_PREFIX + code;

/** Every catalogue, English message texts included, as i18next resources. */
export function catalogues(): Record<Locale, Record<string, string>> {
  const englishMessages = Object.fromEntries(Object.entries(messages).map(([code, entry]) => [MESSAGE_PREFIX + code, entry.text]));
  return { en: { ...en, ...englishMessages }, fr };
}

let instance: i18n | undefined;

// Built on first use, not at import: the message table imports this module too.
function loaded(): i18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  void created.init({
    resources: Object.fromEntries(Object.entries(catalogues()).map(([lng, translation]) => [lng, { translation }])),
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    initAsync: false,
    keySeparator: false,
    nsSeparator: false,
    returnNull: false,
    // The same {name} placeholders as the message table; escaping is the templates' job (autoescape).
    interpolation: { escapeValue: false, prefix: '{', suffix: '}' },
    missingInterpolationHandler: () => '',
  });
  instance = created;
  return created;
}

const translators = new Map<Locale, Translate>();

export function translator(locale: Locale): Translate {
  let t = translators.get(locale);
  if (!t) {
    const fixed = loaded().getFixedT(locale) as unknown as (key: string, options?: Params) => string;
    // The catalogues do not change while the server runs: a text without parameters is looked up once
    // (a page asks for dozens of labels, and i18next's lookup is most of the cost of rendering them).
    const plain = new Map<string, string>();
    t = (key, params) => {
      if (params && Object.keys(params).length) return fixed(key, params);
      const known = plain.get(key);
      if (known !== undefined) return known;
      const text = fixed(key);
      // Only texts the catalogues have (a missing key answers itself): the cache stays as small as they are.
      if (text !== key) plain.set(key, text);
      return text;
    };
    translators.set(locale, t);
  }
  return t;
}

/** Whether the catalogue of `locale` (or English) has a text for `key`. */
export function hasText(locale: Locale, key: string): boolean {
  return loaded().exists(key, { lng: locale });
}
