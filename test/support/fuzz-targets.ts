// The fuzz test's targets, surface by surface: each request a real endpoint with a malformed body,
// query or path. A request that could succeed as sent carries a guard (a required field that never
// arrives as one valid value, an id that names nothing, or a CSRF token that is always wrong), so
// that any row it changes is the server's fault, not the fuzzer's.
import { settingKeys } from '../../src/settings/settings.registry.js';
import type { FuzzStand, LiveInteraction } from './fuzz-stand.js';
import { type Browser, type FormTemplate, type FuzzRequest, formBody, type JsonTemplate, jsonBody, junkAccept, junkId, junkQuery, junkString, type Rng } from './fuzz-inputs.js';
import { REDIRECT_URI } from './relying-party.js';

type Target = (rng: Rng, stand: FuzzStand) => FuzzRequest;

const ANON: Browser = { cookie: '', csrf: 'x'.repeat(43) };
const QUESTIONS = { q1: 'What was the name of your first pet?', a1: 'Rex', q2: 'In what city were you born?', a2: 'Paris', q3: 'What was the make of your first car?', a3: 'Volvo' };

function form(rng: Rng, path: string, template: FormTemplate, browser: Browser): FuzzRequest {
  const { headers, body } = formBody(rng, template, browser);
  return { method: 'POST', path, headers: { ...junkAccept(rng), ...headers, ...(browser.cookie ? { cookie: browser.cookie } : {}) }, body };
}

function get(rng: Rng, path: string, browser: Browser, query: Record<string, string> = {}): FuzzRequest {
  return { method: rng.chance(0.05) ? 'HEAD' : 'GET', path: `${path}${junkQuery(rng, query)}`, headers: { ...junkAccept(rng), ...(browser.cookie ? { cookie: browser.cookie } : {}) } };
}

/** A path id: usually one that names nothing; `real` only where the request has a guard of its own. */
const id = (rng: Rng, real: string[] = []) => (real.length && rng.chance(0.4) ? encodeURIComponent(rng.pick(real)) : junkId(rng));

// ---- sign-in -------------------------------------------------------------------------------

const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.int(10)).join('');
const STEPS: Record<string, (rng: Rng) => FormTemplate> = {
  password: () => ({ fields: { login: 'nobody-by-that-name', password: 'not the password' } }),
  passkey: (rng) => ({ fields: { action: rng.pick(['authenticate', 'switch']), to: 'password', response: '{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{}}' } }),
  pin: (rng) => ({ fields: { action: rng.pick(['verify', 'resend', 'email', 'sms']), pin: digits(rng, 6) } }),
  totp: (rng) => ({ fields: { action: rng.pick(['verify', 'use-pin']), code: digits(rng, 6) } }),
  recover: (rng) => ({ fields: { action: rng.pick(['answer', 'recreate', 'use-pin', 'confirm', 'cancel']), a1: 'wrong', a2: 'also wrong' } }),
  'enrol-token': (rng) => ({ fields: { action: rng.pick(['check', 'verify', 'complete']), code: digits(rng, 6), registrationCode: digits(rng, 10) } }),
  'enrol-passkey': () => ({ fields: { action: 'register', response: '{}' } }),
  'enrol-questions': () => ({ fields: { action: 'save', ...QUESTIONS }, guard: ['a1'] }),
  'new-password': () => ({ fields: { password: 'A new password 1', confirm: 'A new password 1' }, guard: ['confirm'] }),
  'forgot-password': (rng) => ({
    fields: { action: rng.pick(['start', 'identify', 'totp', 'recovery-code', 'send-pin', 'verify', 'answer', 'save', 'continue', 'cancel']), login: 'nobody-by-that-name', code: digits(rng, 6), pin: digits(rng, 6), password: 'A new password 1', confirm: 'A new password 1' },
  }),
  'recovery-code': (rng) => ({ fields: { action: rng.pick(['choose', 'verify', 'back']), code: 'AAAA-BBBB-CCCC' } }),
};

const interaction: Target = (rng, { interactions }) => {
  // Half the requests go to the sign-in before the password, the rest to those after it.
  const live: LiveInteraction = rng.chance(0.45) ? interactions[0]! : rng.pick(interactions.slice(1));
  const uid = rng.chance(0.9) ? live.uid : junkId(rng);
  const base = `/interaction/${uid}`;
  const roll = rng.int(12);
  if (roll === 0) return get(rng, rng.chance(0.8) ? base : `${base}/${junkId(rng)}`, live);
  if (roll === 1) return form(rng, `${base}/abort`, { fields: {}, csrf: 'never' }, live);
  if (roll === 2) return form(rng, `${base}/consent`, { fields: { action: 'allow' } }, live);
  // The step the page shows gets more than its share.
  const step = rng.chance(0.3) ? rng.pick(live.steps) : rng.chance(0.1) ? junkId(rng) : rng.pick(Object.keys(STEPS));
  return form(rng, `${base}/step/${step}`, (Object.hasOwn(STEPS, step) ? STEPS[step]! : STEPS.password!)(rng), live);
};

// ---- password reset, My Profile, admin console ------------------------------------------------

const reset: Target = (rng, stand) => {
  const browser = stand.interactions[0]!;
  const token = rng.chance(0.8) ? stand.resetToken : junkString(rng).slice(0, 100);
  switch (rng.int(4)) {
    case 0:
      return get(rng, '/reset-password', browser, { token });
    case 1:
      return form(rng, '/reset-password/send', { fields: { token, again: 'yes' } }, browser);
    case 2:
      return form(rng, '/reset-password/verify', { fields: { token, pin: digits(rng, 6) } }, browser);
    default:
      // Without a verified PIN the service refuses any new password: no guard needed.
      return form(rng, '/reset-password/complete', { fields: { token, password: 'A new password 1', confirm: 'A new password 1' } }, browser);
  }
};

const portal: Target = (rng, { portal: me, ids }) => {
  const token = `/account/tokens/${id(rng)}`;
  const own = `/account/tokens/${id(rng, [ids.portalToken])}`;
  const passkey = `/account/passkeys/${id(rng)}`;
  const pages = ['/account', '/account/tokens/new', `${token}/setup`, `${own}/setup`, '/account/password', '/account/questions', '/account/passkeys/new', `${passkey}/delete`, '/account/reauth', '/account/callback', '/account/signed-out', `/account/${junkId(rng)}`];
  const same = rng.chance(0.3) ? 'Another password 9' : 'Another password 8';
  const posts: Array<[string, FormTemplate]> = [
    ['/account/tokens', { fields: { device: 'mobile', method: 'app', name: 'Fuzz token' }, guard: [rng.pick(['device', 'method'])] }],
    [`${own}/setup`, { fields: { action: 'verify', code: digits(rng, 6) }, guard: ['action'] }],
    [`${token}/setup`, { fields: { action: 'verify', code: digits(rng, 6) } }],
    [`${own}/rename`, { fields: { name: 'Renamed' }, guard: ['name'] }],
    ...['reactivate', 'disable', 'enable', 'delete'].map((a): [string, FormTemplate] => [`${token}/${a}`, { fields: { allowLast: 'yes' } }]),
    ['/account/password', { fields: { current: 'not my password', password: 'Another password 9', confirm: same }, guard: ['current'] }],
    ['/account/questions', { fields: QUESTIONS, guard: [rng.pick(['a1', 'a2', 'q3'])] }],
    ['/account/passkeys', { fields: { response: '{"id":"AAAA","response":{}}', name: 'Key' }, guard: ['response'] }],
    [`${passkey}/${rng.pick(['rename', 'delete'])}`, { fields: { name: 'Renamed' } }],
    [rng.pick(['/account/logout', '/account/sign-out-everywhere']), { fields: {}, csrf: 'never' }],
  ];
  if (rng.chance(0.35)) return get(rng, rng.pick(pages), me, { return: '/account/password' });
  const [path, template] = rng.pick(posts);
  return form(rng, path, template, me);
};

/** The console's settings form: a junk value for a number (the whole form is refused) and others. */
function settingsForm(rng: Rng): FormTemplate {
  const fields: Record<string, string> = { 'lockout__threshold': rng.pick(['abc', 'NaN', '1e999', '--1', '5 5', '\u0000', '½']) };
  for (let i = 0; i < 3; i++) fields[rng.pick(settingKeys).replace(/\./g, '__')] = junkString(rng).slice(0, 200) || 'x';
  return { fields, fixed: ['lockout__threshold'] };
}

/** A yes/no setting sent as neither: refused, never read as "no". */
function booleanSetting(rng: Rng): FormTemplate {
  const value = junkString(rng).slice(0, 100).trim();
  return { fields: { [rng.pick(['token__required', 'token__pinFallback', 'pin__emailAllowed'])]: value && value !== 'true' ? value : 'yes' }, fixed: ['token__required', 'token__pinFallback', 'pin__emailAllowed'] };
}

const console_: Target = (rng, { admin, ids }) => {
  const user = `/admin/users/${id(rng)}`;
  const known = `/admin/users/${id(rng, ids.users)}`;
  const tokenAction = rng.pick(['reactivate', 'complete', 'reset', 'disable', 'enable', 'delete']);
  const pages = ['/admin', '/admin/users', '/admin/users/new', known, `${known}/passkeys/${id(rng)}/delete`, '/admin/settings', '/admin/clients', '/admin/groups', '/admin/audit', '/admin/audit/export', '/admin/callback', '/admin/signed-out'];
  const posts: Array<[string, FormTemplate]> = [
    ['/admin/users', { fields: { username: 'fuzz-created', email: 'fuzz-created@example.com', name: 'Fuzz', role: 'user', password: 'A long password 1' }, guard: ['email'] }],
    [known, { fields: { email: 'changed@example.com', mobile: '+15550100999', name: 'Changed', role: 'user' }, guard: ['email'] }],
    [`${user}/${rng.pick(['disable', 'enable', 'lock', 'unlock', 'sign-out', 'reset-link', 'delete', 'groups', 'tokens'])}`, { fields: { groups: ids.groups[0]!, name: 'x' } }],
    [`${known}/password`, { fields: { password: 'A long password 1' }, guard: ['password'] }],
    [`${known}/passkeys/${id(rng)}/delete`, { fields: {} }],
    [`${known}/tokens/${id(rng)}/${tokenAction}`, { fields: { registrationCode: '1234567890', first: '123456', second: '654321', allowLast: 'yes' } }],
    ['/admin/settings', rng.chance(0.7) ? settingsForm(rng) : booleanSetting(rng)],
    ['/admin/clients', { fields: { clientId: 'fuzz-client', name: 'F', redirectUris: 'https://x.example/cb', type: 'confidential', firstParty: 'yes' }, guard: ['redirectUris'] }],
    [`/admin/clients/${id(rng)}/${rng.pick(['secret', 'update', 'delete'])}`, { fields: { redirectUris: 'https://x.example/cb' } }],
    [`/admin/clients/${id(rng, ids.clients)}/rule`, { fields: { minLevel: 'mfa', groups: ids.groups[0]! }, guard: ['minLevel'] }],
    ['/admin/groups', { fields: { name: 'fuzz group', description: 'd' }, guard: ['name'] }],
    [`/admin/groups/${id(rng)}/delete`, { fields: {} }],
    ['/admin/logout', { fields: {}, csrf: 'never' }],
  ];
  if (rng.chance(0.3)) return get(rng, rng.pick(pages), admin, { q: 'fuzz', page: '1', from: '2020-01-01', to: '2030-01-01', subject: ids.users[0]! });
  const [path, template] = rng.pick(posts);
  return form(rng, path, template, admin);
};

// ---- admin API, activation API, OIDC ------------------------------------------------------------

const adminApi: Target = (rng, { bearer, ids }) => {
  const user = `/users/${id(rng)}`;
  const known = `/users/${id(rng, ids.users)}`;
  const client = id(rng, ids.clients);
  const calls: Array<[string, string, JsonTemplate?]> = [
    ['GET', rng.pick(['/users', '/settings', '/clients', '/groups', '/audit', '/audit/export', `${known}`, `${known}/sessions`, `${known}/tokens`, `${known}/passkeys`, `/clients/${client}/rule`, `/${junkId(rng)}`])],
    ['POST', '/users', { body: { username: 'api-fuzz', email: 'api-fuzz@example.com', password: 'A long password 1', role: 'user', name: 'F' }, guard: { email: 'string' } }],
    ['PATCH', known, { body: { name: 'Changed', email: 'changed@example.com', mobile: null, role: 'user' }, guard: { email: 'string' } }],
    [rng.pick(['DELETE', 'PATCH']), user, { body: { name: 'Changed' } }],
    ['POST', `${user}/${rng.pick(['disable', 'enable', 'lock', 'unlock', 'sign-out', 'reset-link', 'tokens'])}`, { body: {} }],
    ['PUT', `${known}/password`, { body: { password: 'A long password 1' }, guard: { password: 'string' } }],
    ['PUT', `${known}/groups`, { body: { groupIds: ids.groups }, guard: { groupIds: 'array' } }],
    ['POST', `${known}/tokens`, { body: { name: 'Fuzz' }, guard: { name: 'string' } }],
    [rng.pick(['POST', 'DELETE']), `${known}/tokens/${id(rng)}/${rng.pick(['reactivate', 'complete', 'reset', 'disable', 'enable', ''])}`, { body: { registrationCode: '1234567890', first: '1', second: '2' } }],
    ['PATCH', '/settings', { body: Object.fromEntries([[rng.pick(settingKeys), 5], ['token.required', false]]), guard: { 'lockout.threshold': 'number' } }],
    ['DELETE', `/settings/${id(rng)}`],
    ['DELETE', `${known}/passkeys/${id(rng)}`],
    ['POST', '/clients', { body: { clientId: 'api-client', redirectUris: ['https://x.example/cb'], public: false }, guard: { redirectUris: 'array' } }],
    ['PATCH', `/clients/${client}`, { body: { name: 'Changed', redirectUris: ['https://x.example/cb'] }, guard: { redirectUris: 'array' } }],
    [rng.pick(['DELETE', 'POST']), `/clients/${id(rng)}${rng.pick(['', '/secret'])}`],
    ['PUT', `/clients/${client}/rule`, { body: { allowedGroups: ids.groups, minLevel: 'mfa' }, guard: { minLevel: 'string' } }],
    ['POST', '/groups', { body: { name: 'api group', description: 'd' }, guard: { name: 'string' } }],
    ['DELETE', `/groups/${id(rng)}`],
  ];
  const [method, path, template] = rng.pick(calls);
  const { headers, body } = method === 'GET' ? { headers: {}, body: undefined } : jsonBody(rng, template);
  const authorization = rng.chance(0.9) ? `Bearer ${bearer}` : rng.pick(['', 'Bearer', `Bearer ${bearer}x`, `bearer ${bearer}`, `Basic ${bearer}`, `Bearer ${bearer} ${bearer}`, 'Bearer =====']);
  const query = method === 'GET' ? junkQuery(rng, { q: 'fuzz', page: '1', limit: '10', offset: '0', from: '2020-01-01' }) : rng.chance(0.2) ? junkQuery(rng, { allowLast: 'false' }) : '';
  return { method, path: `/admin/api${path}${query}`, headers: { accept: 'application/json', ...headers, ...(authorization ? { authorization } : {}) }, body };
};

const activation: Target = (rng) => {
  if (rng.chance(0.15)) return get(rng, '/softtoken/activate', ANON, { ticket: 'AAAAAAAAAAAAAAAAAAAAAA' });
  const publicKey = Buffer.alloc(32, rng.int(256)).toString('base64url');
  const body = rng.pick([{ ticket: 'AAAAAAAAAAAAAAAAAAAAAA', publicKey }, { ticket: 'AAAAAAAAAAAAAAAAAAAAAA', password: '12345678', publicKey }, { serial: digits(rng, 10), publicKey, proof: 'AAAA' }]);
  const { headers, body: raw } = jsonBody(rng, { body });
  return { method: rng.chance(0.95) ? 'POST' : rng.pick(['PUT', 'PATCH', 'DELETE']), path: '/softtoken/activate', headers, body: raw };
};

const oidc: Target = (rng, { rp, interactions }) => {
  const basic = `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`;
  const auth = { client_id: rp.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid email', state: 'st', nonce: 'no', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeJ1s9vj8RaBF4Xx0xHA', code_challenge_method: 'S256' };
  const browser = rng.chance(0.3) ? rng.pick(interactions) : ANON;
  const withAuth = (r: FuzzRequest): FuzzRequest => ({ ...r, headers: { ...r.headers, ...(rng.chance(0.8) ? { authorization: rng.chance(0.8) ? basic : `Basic ${junkString(rng).replace(/[^\x20-\x7e]/g, '')}` } : {}) } });
  switch (rng.int(8)) {
    case 0:
      return get(rng, '/auth', browser, auth);
    case 1:
      return form(rng, '/auth', { fields: auth, csrf: 'none' }, browser);
    case 2: {
      const grant = rng.pick<Record<string, string>>([
        { grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: REDIRECT_URI, code_verifier: 'v'.repeat(43) },
        { grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' },
        { grant_type: 'client_credentials', scope: 'idp:admin' },
        { grant_type: junkString(rng).slice(0, 50) },
      ]);
      return withAuth(form(rng, '/token', { fields: grant, csrf: 'none' }, ANON));
    }
    case 3: {
      const r = rng.chance(0.5) ? get(rng, '/me', ANON) : form(rng, '/me', { fields: { access_token: 'junk' }, csrf: 'none' }, ANON);
      return { ...r, headers: { ...r.headers, authorization: `Bearer ${rng.pick(['junk', 'a.b.c', '=', 'x'.repeat(5000), 'eyJhbGciOiJub25lIn0.e30.'])}` } };
    }
    case 4: {
      const params = { id_token_hint: 'eyJhbGciOiJub25lIn0.e30.', post_logout_redirect_uri: 'http://127.0.0.1:1/bye', state: 's', client_id: rp.clientId };
      return rng.chance(0.5) ? get(rng, '/session/end', browser, params) : form(rng, rng.pick(['/session/end', '/session/end/confirm']), { fields: { ...params, xsrf: 'junk', logout: 'yes' }, csrf: 'none' }, browser);
    }
    case 5:
      return withAuth(form(rng, rng.pick(['/token/revocation', '/token/introspection']), { fields: { token: 'junk', token_type_hint: 'access_token' }, csrf: 'none' }, ANON));
    default: {
      const r = get(rng, rng.pick(['/.well-known/openid-configuration', '/jwks', '/.well-known/openid-configuration/x', '/jwks.json']), browser);
      return rng.chance(0.3) ? { ...r, method: rng.pick(['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) } : r;
    }
  }
};

/** Each surface and its share of the requests. */
export const SURFACES: Array<[string, number, Target]> = [
  ['sign-in', 26, interaction],
  ['password reset', 7, reset],
  ['My Profile', 14, portal],
  ['admin console', 15, console_],
  ['admin API', 18, adminApi],
  ['activation API', 6, activation],
  ['OIDC', 14, oidc],
];

/** One request on a surface drawn by the surfaces' shares. */
export function fuzzRequest(rng: Rng, stand: FuzzStand): { surface: string; request: FuzzRequest } {
  const total = SURFACES.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = rng.int(total);
  for (const [surface, weight, target] of SURFACES) {
    if (roll < weight) return { surface, request: target(rng, stand) };
    roll -= weight;
  }
  throw new Error('unreachable');
}
