// Malformed inputs for the fuzz test, from a seeded PRNG so that a seed replays the same requests:
// junk strings and values, form and JSON bodies built from a template with some fields broken,
// wrong content types, bad encodings, duplicated keys, missing or misplaced CSRF tokens.

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** What the server knows the sender by: a cookie header and the CSRF token that goes with it. */
export interface Browser {
  cookie: string;
  csrf: string;
}

/** The padding of a 1 MB body, made once. */
const ONE_MB = 'x'.repeat(1024 * 1024);
const control = () => String.fromCharCode(...Array.from({ length: 8 }, (_, i) => [0, 1, 7, 8, 9, 10, 13, 27, 31, 127][i % 10]!));

/** Strings no field should take as they are. */
const JUNK: Array<(rng: Rng) => string> = [
  () => '\u0000',
  () => 'abc\u0000def',
  () => control(),
  () => '\r\nSet-Cookie: x=1',
  (rng) => 'A'.repeat(rng.pick([256, 1025, 5000, 20_000])),
  (rng) => '9'.repeat(rng.pick([20, 400])),
  () => '\ud800',
  () => 'x\udfffy',
  () => '\u202eevil\u202c',
  () => '\u200b\u200d\ufeff',
  () => 'a' + '\u0301'.repeat(300),
  () => '\uffff\ufdd0',
  () => '１２３４５６',
  () => '١٢٣٤٥٦',
  () => '👩‍👩‍👧‍👦',
  () => "' OR '1'='1' --",
  () => '{{ 7*7 }}{% raw %}',
  () => '<script>alert(1)</script>',
  () => '../../../../etc/passwd',
  () => '%00%ff%c0%ae',
  () => '-1',
  () => '1e999',
  () => 'NaN',
  () => 'true',
  () => 'null',
  () => '[object Object]',
  () => '__proto__',
  () => ' ',
  () => '',
];

export function junkString(rng: Rng): string {
  return rng.pick(JUNK)(rng);
}

/** Any JSON value that is not what a field of `expected` type wants (for a guard). */
export function wrongType(rng: Rng, expected: JsonType): unknown {
  const options: unknown[] = [true, null, {}, { $gt: '' }, [1], [[]], [null]];
  if (expected !== 'array') options.push([], ['x']);
  if (expected !== 'string') options.push('x', '', '12');
  if (expected !== 'number') options.push(0, -1, 1.5, 1e308);
  return rng.pick(expected === 'boolean' ? options.filter((o) => typeof o !== 'boolean') : options);
}

export type JsonType = 'string' | 'array' | 'boolean' | 'number';

/** Any JSON value at all: junk strings, wrong types, deep or large structures. */
export function junkValue(rng: Rng): unknown {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return junkString(rng);
    case 2:
      return wrongType(rng, 'string');
    case 3:
      return nested(rng.pick([10, 100, 2000]));
    case 4:
      return Array.from({ length: rng.pick([2, 50, 3000]) }, () => junkString(rng).slice(0, 50));
    default:
      return Object.fromEntries(Array.from({ length: rng.pick([1, 20]) }, () => [junkString(rng).slice(0, 40), junkString(rng).slice(0, 40)]));
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

// ---- forms ---------------------------------------------------------------------------------

/** One field of a urlencoded body, before encoding; `raw` is sent as it is (bad escapes and all). */
type Pair = { key: string; value: string; raw?: string };

/** Percent-encodes UTF-8 (lone surrogates become U+FFFD, as a browser would send them). */
function encode(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8')).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const serialize = (pairs: Pair[]) => pairs.map((p) => p.raw ?? `${encode(p.key)}=${encode(p.value)}`).join('&');

/** Shapes under which a form field never reaches a route as one string. */
function breakField(rng: Rng, key: string, value: string): Pair[] {
  switch (rng.int(5)) {
    case 0:
      return [];
    case 1:
      return [{ key: `${key}[]`, value }];
    case 2:
      return [{ key: `${key}[${rng.pick(['a', '0', '__proto__', ''])}]`, value }];
    case 3:
      return [{ key, value }, { key, value: rng.chance(0.5) ? value : junkString(rng) }];
    default:
      return [{ key: `${key}[a][b][c][d][e][f][g]`, value }];
  }
}

/** A field given a junk value, a bad escape, or one of the broken shapes. */
function mutateField(rng: Rng, key: string, value: string): Pair[] {
  switch (rng.int(4)) {
    case 0:
    case 1:
      return [{ key, value: junkString(rng) }];
    case 2:
      return [{ key, value, raw: `${encode(key)}=${rng.pick(['%', '%G1', '%C0%AE', '%FF%FE', '%ED%A0%80', '%E2%82', '%%%', '%00'])}${encode(value)}` }];
    default:
      return breakField(rng, key, value);
  }
}

const EXTRA_KEYS = ['__proto__[admin]', 'constructor[prototype][admin]', 'hasOwnProperty', 'toString', '', '_csrf[]', 'a[0][1][2][3][4][5][6][7]', 'a[999999]'];

export interface FormTemplate {
  fields: Record<string, string>;
  /** Fields that always arrive missing, empty or not as one string: what keeps the request from succeeding. */
  guard?: string[];
  /** Fields sent exactly as in the template (a junk value that must stay junk). */
  fixed?: string[];
  /** `never`: the CSRF token is the request's only guard (logout, abort), so it is never sent right; `none`: not a CSRF-checked form (oidc-provider's own). */
  csrf?: 'fuzz' | 'never' | 'none';
}

/** A urlencoded body from `template` with some fields broken, under a right or wrong content type. */
export function formBody(rng: Rng, template: FormTemplate, browser: Browser): { headers: Record<string, string>; body: Buffer } {
  const guard = new Set(template.guard ?? []);
  let pairs: Pair[] = [];
  const keys = Object.keys(template.fields).filter((k) => !template.fixed?.includes(k));
  const mutated = new Set(Array.from({ length: 1 + rng.int(3) }, () => rng.pick(keys.length ? keys : ['x'])));
  for (const [key, value] of Object.entries(template.fields)) {
    if (guard.has(key)) pairs.push(...(rng.chance(0.2) ? [{ key, value: '' }] : breakField(rng, key, value)));
    else pairs.push(...(mutated.has(key) ? mutateField(rng, key, value) : [{ key, value }]));
  }
  if (rng.chance(0.15)) pairs.push({ key: rng.pick(EXTRA_KEYS), value: junkString(rng).slice(0, 100) });
  if (rng.chance(0.02)) pairs.push(...Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, value: 'v' })));
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const mode = template.csrf ?? 'fuzz';
  const csrf = mode === 'none' ? { pairs: [], headers: {} } : csrfPairs(rng, browser, mode === 'never');
  pairs = rng.chance(0.5) ? [...csrf.pairs, ...pairs] : [...pairs, ...csrf.pairs];
  Object.assign(headers, csrf.headers);
  let text = serialize(pairs);
  if (rng.chance(0.005)) text += `&pad=${ONE_MB}`;
  if (rng.chance(0.12)) {
    headers['content-type'] = rng.pick(['application/json', 'text/plain', 'multipart/form-data; boundary=zz', 'application/x-www-form-urlencoded; charset=utf-16', 'application/x-www-form-urlencoded; charset=bogus-8', 'application/octet-stream', '']);
    if (!headers['content-type']) delete headers['content-type'];
    // The CSRF header lets a body the form parser does not read still pass the CSRF check.
    if (mode === 'fuzz' && rng.chance(0.5)) headers['x-csrf-token'] = browser.csrf;
  }
  if (rng.chance(0.02)) headers['content-encoding'] = rng.pick(['gzip', 'deflate', 'br', 'bogus']);
  return { headers, body: Buffer.from(text, 'utf8') };
}

/** Mostly the right token in the form; otherwise missing, wrong, split or doubled. */
function csrfPairs(rng: Rng, browser: Browser, alwaysWrong: boolean): { pairs: Pair[]; headers: Record<string, string> } {
  const variant = alwaysWrong ? 1 + rng.int(6) : rng.chance(0.7) ? 0 : 1 + rng.int(6);
  switch (variant) {
    case 0:
      return { pairs: [{ key: '_csrf', value: browser.csrf }], headers: {} };
    case 1:
      return { pairs: [], headers: {} };
    case 2:
      return { pairs: [{ key: '_csrf', value: browser.csrf.slice(0, -2) + 'AA' }], headers: {} };
    case 3:
      return { pairs: [{ key: '_csrf[]', value: browser.csrf }], headers: {} };
    case 4:
      return { pairs: [{ key: '_csrf', value: browser.csrf }, { key: '_csrf', value: browser.csrf }], headers: {} };
    case 5:
      return { pairs: [{ key: '_csrf', value: junkString(rng) }], headers: {} };
    default:
      return { pairs: [], headers: { 'x-csrf-token': junkString(rng).replace(/[^\x20-\x7e]/g, '') || 'x' } };
  }
}

// ---- JSON ----------------------------------------------------------------------------------

export interface JsonTemplate {
  body: Record<string, unknown>;
  /** Fields that always carry a value of the wrong type, with the type they should have. */
  guard?: Record<string, JsonType>;
}

/** Bodies that are not JSON, or not an object (nothing here may parse to an object). */
const BAD_JSON = ['{', '{"a":', '[1,2', "{'a':1}", '{"a":1,}', 'NaN', 'undefined', '\u0000', '{"a":1}{"b":2}', '"\\ud800"', '1e400', '[' .repeat(20_000) + ']'.repeat(20_000)];

/** A JSON body from `template` with guards of the wrong type and other fields broken, or not JSON at all. */
export function jsonBody(rng: Rng, template?: JsonTemplate): { headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (!template && rng.chance(0.4)) return { headers: {} };
  const roll = rng.next();
  let text: string;
  if (roll < 0.1) text = rng.pick(BAD_JSON);
  else if (roll < 0.15) text = JSON.stringify(rng.pick([[], 'string', 123, null, true, [template?.body ?? {}]]));
  else if (roll < 0.155) text = `{"pad":"${ONE_MB}"}`;
  else text = (rng.chance(0.03) ? '\ufeff' : '') + jsonText(rng, template ?? { body: {} });
  if (rng.chance(0.08)) headers['content-type'] = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-7', 'application/json; charset=latin1', 'application/vnd.api+json', '']);
  if (!headers['content-type']) delete headers['content-type'];
  if (rng.chance(0.02)) headers['content-encoding'] = rng.pick(['gzip', 'deflate', 'br', 'bogus']);
  const body = rng.chance(0.03) ? Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from(text.slice(-1))]) : Buffer.from(text, 'utf8');
  return { headers, body };
}

function jsonText(rng: Rng, template: JsonTemplate): string {
  const guard = template.guard ?? {};
  const entries: Array<[string, unknown]> = [...Object.entries(template.body), ...Object.keys(guard).filter((k) => !(k in template.body)).map((k): [string, unknown] => [k, null])];
  const keys = Object.keys(template.body).filter((k) => !(k in guard));
  const mutated = new Set(Array.from({ length: 1 + rng.int(3) }, () => (keys.length ? rng.pick(keys) : '')));
  const out: Array<[string, unknown]> = [];
  for (const [key, value] of entries) {
    if (key in guard) {
      // A duplicated key comes first: JSON.parse keeps the last, the guard.
      if (rng.chance(0.1)) out.push([key, value]);
      out.push([key, wrongType(rng, guard[key]!)]);
    } else if (mutated.has(key)) {
      if (rng.chance(0.1)) out.push([key, value]);
      if (!rng.chance(0.15)) out.push([key, junkValue(rng)]);
    } else out.push([key, value]);
  }
  if (rng.chance(0.15)) out.push([rng.pick(['__proto__', 'constructor', 'prototype', '', '\u0000', 'toString']), rng.pick([{ admin: true }, { prototype: { admin: true } }, 'x'])]);
  if (!Object.keys(guard).length && rng.chance(0.3)) out.push([junkString(rng).slice(0, 60), junkValue(rng)]);
  return `{${out.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

// ---- URLs ----------------------------------------------------------------------------------

// No dot segments ('..', '%2e%2e'): the URL parser would resolve them into another, valid path.
const JUNK_IDS = ['%00', '..%2F..%2Fetc', '.%2e%2F', '%2F', 'a%00b', '%FF', '%C0%AE', '%', '%E2%82', 'null', 'undefined', '-1', '0', '1e999', '%20', '__proto__', 'constructor', '00000000-0000-0000-0000-000000000000', "1'%20OR%20'1'%3D'1", '%F0%9F%98%80', '%u0041', 'A'.repeat(3000), '%0D%0ASet-Cookie:%20x=1', '%EF%BB%BF'];

/** A path segment that names nothing (some of it not even valid percent-encoding). */
export function junkId(rng: Rng): string {
  return rng.chance(0.2) ? encode(junkString(rng).slice(0, 300)).replace(/^\.*$/, '%20') || '%20' : rng.pick(JUNK_IDS);
}

/** A query string from `template` with some parameters broken, doubled, bracketed or added. */
export function junkQuery(rng: Rng, template: Record<string, string> = {}): string {
  const pairs: Pair[] = [];
  const keys = Object.keys(template);
  const mutated = keys.length ? rng.pick(keys) : undefined;
  for (const [key, value] of Object.entries(template)) pairs.push(...(key === mutated ? mutateField(rng, key, value) : [{ key, value }]));
  if (!keys.length || rng.chance(0.3)) pairs.push(...mutateField(rng, rng.pick(['q', 'page', 'from', 'to', 'subject', 'type', 'limit', 'offset', 'return', 'token', 'ticket', 'code', 'state', 'a']), junkString(rng).slice(0, 200)));
  const text = serialize(pairs);
  return text ? `?${text}` : '';
}

/** The Accept header a browser, a script or a confused client might send. */
export function junkAccept(rng: Rng): Record<string, string> {
  const accept = rng.pick(['text/html', 'application/json', '*/*', 'text/html;q=0.1, application/json;q=abc', 'image/png', '']);
  return accept ? { accept } : {};
}
