// The admin API on a user's soft tokens: every endpoint for each staff role with its refusals; the
// drift reset from two consecutive codes ("Invalid Response" when they are not); completing a manual
// activation with the registration code; and taking the last token, which warns and re-enrols.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { registrationCode } from '../../src/tokens/activation-crypto.js';
import { totpCode } from '../../src/tokens/totp.js';
import { type AdminApi, type ApiResponse, type StaffRole, staffAccounts, staffRoles, FORBIDDEN } from '../support/admin-api.js';
import { createEnrolledUser, totpParams } from '../support/enrolled-user.js';
import { signInByEmailPin } from '../support/pin-sign-in.js';
import { registerRelyingParty, type RelyingParty, startAuthorization } from '../support/relying-party.js';
import { SmtpCapture } from '../support/smtp-capture.js';
import { activate } from '../support/softtoken-device.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

const STEP = 30_000;

let server: TestServer;
let smtp: SmtpCapture;
let rp: RelyingParty;
let api: Record<StaffRole, AdminApi>;
let n = 0;
let offset = 0;
/** Set while a request's codes are made and checked: a time step that ends in between cannot matter. */
let frozen: number | undefined;
const now = () => frozen ?? Date.now() + offset;
async function atOneInstant<T>(run: () => Promise<T>): Promise<T> {
  frozen = now();
  try {
    return await run();
  } finally {
    frozen = undefined;
  }
}
const s = () => server.app.services;

beforeAll(async () => {
  smtp = new SmtpCapture();
  server = await startTestServer({ env: { REQUIRE_SOFT_TOKEN: 'true', SMTP_URL: await smtp.start() }, overrides: { clock: { now } } });
  rp = await registerRelyingParty(server);
  api = await staffAccounts(server);
});
afterAll(async () => {
  await server?.close();
  await smtp?.stop();
});

interface Holder {
  user: UserEntity;
  secret: Uint8Array;
  tokenId: string;
}

/** A user with one active authenticator-app token. */
async function holder(): Promise<Holder> {
  const { user, secret, token } = await createEnrolledUser(server, `holder${String(++n).padStart(4, '0')}`, now);
  return { user, secret, tokenId: token.id };
}

const tokensOf = async (userId: string) => (await s().tokens.list(userId)).map((t) => ({ id: t.id, state: t.state, kind: t.kind, drift: t.drift }));

async function audited(subject: string, type: string): Promise<Array<{ actor: string; outcome: string }>> {
  return (await api.superadmin.request('GET', `/audit?subject=${subject}&type=${type}`)).body.events;
}

/** A softtoken-app token the device activated by hand: it waits for the registration code. */
async function manuallyActivated(h: Holder) {
  const token = await s().tokenLifecycle.assign(h.user, 'Desk');
  const details = (await s().activations.current(token))!;
  const device = await activate(server.url, { serial: token.serial, activationCode: details.activationCode });
  expect([device.status, device.body.registrationRequired]).toEqual([200, true]);
  return { tokenId: token.id, code: registrationCode(device.secret!) };
}

interface Row {
  what: string;
  refused: StaffRole[];
  status: number;
  setup?: (h: Holder) => Promise<Record<string, string>>;
  call: (h: Holder, x: Record<string, string>) => [string, string, unknown?];
  effect: (h: Holder, allowed: boolean, res: ApiResponse, x: Record<string, string>) => Promise<void>;
  audit?: string;
}

const base = (h: Holder, tokenId = h.tokenId) => `/users/${h.user.id}/tokens/${tokenId}`;

const rows: Row[] = [
  {
    what: 'GET /users/:id/tokens',
    refused: [],
    status: 200,
    call: (h) => ['GET', `/users/${h.user.id}/tokens`],
    effect: async (h, _, res) => expect(res.body.tokens).toEqual([expect.objectContaining({ id: h.tokenId, state: 'active', kind: 'app' })]),
  },
  {
    what: 'POST /users/:id/tokens (assign)',
    refused: ['helpdesk'],
    status: 201,
    setup: async () => ({ seen: String(smtp.messages.length) }),
    call: (h) => ['POST', `/users/${h.user.id}/tokens`, { name: 'Laptop' }],
    effect: async (h, allowed, res, x) => {
      expect((await tokensOf(h.user.id)).length).toBe(allowed ? 2 : 1);
      if (!allowed) return;
      expect(res.body).toMatchObject({ name: 'Laptop', kind: 'softtoken', state: 'pending' });
      const mail = await smtp.next(h.user.email, Number(x.seen));
      expect(mail.raw).toContain(res.body.serial);
    },
    audit: 'token.activation_issued',
  },
  {
    what: 'POST …/reactivate',
    refused: [],
    status: 200,
    call: (h) => ['POST', `${base(h)}/reactivate`],
    effect: async (h, _, res) => {
      expect(res.body.token).toMatchObject({ id: h.tokenId, state: 'pending' });
      expect(res.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
      // The old secret is dead: its codes no longer complete anything.
      expect(await s().tokens.completeWithCode(h.user.id, h.tokenId, totpCode(h.secret, totpParams, now())).catch((e: { code: string }) => e.code)).toBe('totp.invalid');
    },
    audit: 'token.reactivated',
  },
  {
    what: 'POST …/complete',
    refused: [],
    status: 200,
    setup: (h) => manuallyActivated(h),
    call: (h, x) => ['POST', `${base(h, x.tokenId)}/complete`, { registrationCode: x.code }],
    effect: async (h, _, res, x) => {
      expect(res.body).toMatchObject({ id: x.tokenId, state: 'active', registrationPending: false });
      expect((await s().tokens.get(h.user.id, x.tokenId!)).state).toBe('active');
    },
    audit: 'token.activated',
  },
  {
    what: 'POST …/reset',
    refused: [],
    status: 200,
    call: (h) => ['POST', `${base(h)}/reset`, { first: totpCode(h.secret, totpParams, now() + 3 * STEP), second: totpCode(h.secret, totpParams, now() + 4 * STEP) }],
    effect: async (h, _, res) => {
      expect(res.body).toMatchObject({ drift: 4, token: { id: h.tokenId, drift: 4 } });
    },
    audit: 'token.reset',
  },
  {
    what: 'POST …/disable?allowLast=true',
    refused: ['helpdesk'],
    status: 204,
    call: (h) => ['POST', `${base(h)}/disable?allowLast=true`],
    effect: async (h, allowed) => expect((await tokensOf(h.user.id))[0]!.state).toBe(allowed ? 'disabled' : 'active'),
    audit: 'token.disabled',
  },
  {
    what: 'POST …/enable',
    refused: ['helpdesk'],
    status: 204,
    setup: async (h) => {
      await s().tokenLifecycle.disable(h.user, h.tokenId, {}, { allowLast: true });
      return {};
    },
    call: (h) => ['POST', `${base(h)}/enable`],
    effect: async (h, allowed) => expect((await tokensOf(h.user.id))[0]!.state).toBe(allowed ? 'active' : 'disabled'),
    audit: 'token.enabled',
  },
  {
    what: 'DELETE …?allowLast=true',
    refused: ['helpdesk'],
    status: 204,
    call: (h) => ['DELETE', `${base(h)}?allowLast=true`],
    effect: async (h, allowed) => expect((await tokensOf(h.user.id)).length).toBe(allowed ? 0 : 1),
    audit: 'token.deleted',
  },
];

describe('admin API: tokens, by role', () => {
  const cases = rows.flatMap((row) => staffRoles.map((role) => [row.what, role, row] as const));

  it.each(cases)('%s as %s', async (_, role, row) => {
    const h = await holder();
    const x = (await row.setup?.(h)) ?? {};
    const res = await atOneInstant(() => {
      const [method, path, body] = row.call(h, x);
      return api[role].request(method, path, body);
    });
    const allowed = !row.refused.includes(role);
    if (allowed) expect(res.status).toBe(row.status);
    else expect([res.status, res.body]).toEqual([403, FORBIDDEN]);
    await row.effect(h, allowed, res, x);
    if (row.audit) {
      const mine = (await audited(h.user.id, row.audit)).filter((e) => e.actor === `client:${api[role].clientId}`);
      expect(mine.map((e) => e.outcome)).toEqual(allowed ? ['success'] : []);
    }
  });
});

describe('admin API: resetting a drifted token', () => {
  const code = (h: Holder, steps: number) => totpCode(h.secret, totpParams, now() + steps * STEP);
  const lookAhead = 200;

  it('uses the look-ahead setting, 200 time steps by default', async () => {
    const res = await api.helpdesk.request('GET', '/settings');
    expect(res.body.settings).toContainEqual(expect.objectContaining({ key: 'token.resetLookAhead', value: lookAhead }));
  });

  it.each([
    ['whose first code is the current one', 0, 1],
    ['3 steps ahead', 3, 4],
    ['5 steps behind', -5, -4],
    ['at the edge of the look-ahead', lookAhead - 1, lookAhead],
  ])('resynchronises a device %s from two consecutive codes', async (_, ahead, drift) => {
    const h = await holder();
    const res = await atOneInstant(() => api.helpdesk.request('POST', `${base(h)}/reset`, { first: code(h, ahead), second: code(h, ahead + 1) }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ drift, token: expect.objectContaining({ id: h.tokenId, state: 'active', drift }) });
    expect((await tokensOf(h.user.id))[0]!.drift).toBe(drift);
  });

  it.each([
    ['beyond the look-ahead', (h: Holder) => [code(h, lookAhead), code(h, lookAhead + 1)]],
    ['that are not consecutive', (h: Holder) => [code(h, 3), code(h, 5)]],
    ['in the wrong order', (h: Holder) => [code(h, 4), code(h, 3)]],
    ['that are the same code twice', (h: Holder) => [code(h, 3), code(h, 3)]],
    ['of another token', () => ['123456', '654321']],
    ['that are not digits', () => ['abcdef', 'ghijkl']],
  ])('answers codes %s with "Invalid Response" and leaves the token alone', async (_, codes) => {
    const h = await holder();
    const before = await tokensOf(h.user.id);
    const res = await atOneInstant(() => {
      const [first, second] = codes(h);
      return api.helpdesk.request('POST', `${base(h)}/reset`, { first, second });
    });
    expect([res.status, res.body.error]).toEqual([400, 'token.reset_invalid']);
    expect(res.body.message).toMatch(/^Invalid Response/);
    expect(await tokensOf(h.user.id)).toEqual(before);
    expect((await audited(h.user.id, 'token.reset')).map((e) => e.outcome)).toEqual(['failure']);
  });

  it('refuses to reset a token that is not active', async () => {
    const h = await holder();
    await s().tokenLifecycle.disable(h.user, h.tokenId, {}, { allowLast: true });
    const res = await api.helpdesk.request('POST', `${base(h)}/reset`, { first: code(h, 1), second: code(h, 2) });
    expect([res.status, res.body.error]).toEqual([409, 'token.not_active']);
  });
});

describe('admin API: completing an activation and taking the last token', () => {
  it('refuses a wrong registration code and keeps the token waiting', async () => {
    const h = await holder();
    const { tokenId, code } = await manuallyActivated(h);
    const wrong = code.replace(/^./, (d) => String((Number(d) + 1) % 10));
    const res = await api.helpdesk.request('POST', `${base(h, tokenId)}/complete`, { registrationCode: wrong });
    expect(res.body).toMatchObject({ error: 'enrol.registration_invalid', message: 'The registration code is incorrect. Check the code your soft token app shows.' });
    expect(res.status).toBe(422);
    expect((await s().tokens.get(h.user.id, tokenId)).state).toBe('pending');
    expect((await api.helpdesk.request('POST', `${base(h, tokenId)}/complete`, { registrationCode: code })).status).toBe(200);
  });

  it('warns before taking the last active token, then takes it when asked and re-enrols the user at the next sign-in', async () => {
    const h = await holder();
    const warned = await api.admin.request('DELETE', base(h));
    expect([warned.status, warned.body.error]).toEqual([409, 'token.last_active']);
    const notDisabled = await api.admin.request('POST', `${base(h)}/disable`);
    expect([notDisabled.status, notDisabled.body.error]).toEqual([409, 'token.last_active']);
    expect(await tokensOf(h.user.id)).toEqual([expect.objectContaining({ id: h.tokenId, state: 'active' })]);

    expect((await api.admin.request('DELETE', `${base(h)}?allowLast=true`)).status).toBe(204);
    expect(await tokensOf(h.user.id)).toEqual([]);

    const signIn = await signInByEmailPin(new UserAgent(), await startAuthorization(rp), h.user.username, `${h.user.username} password 1`, h.user.email, smtp);
    expect(signIn.pin).toMatch(/^\d{6}$/);
    expect(signIn.afterPin!.html).toContain('<h1>Set up a passkey or a soft token</h1>');
  });

  it.each([
    ['an unknown user', 'POST', () => '/users/nobody/tokens/nothing/enable', undefined, 404, 'user.not_found'],
    ['an unknown token', 'POST', (h: Holder) => `/users/${h.user.id}/tokens/nothing/enable`, undefined, 404, 'token.not_found'],
    ["another user's token", 'DELETE', (h: Holder, other: Holder) => `/users/${h.user.id}/tokens/${other.tokenId}?allowLast=true`, undefined, 404, 'token.not_found'],
    ['a reset without the second code', 'POST', (h: Holder) => `${base(h)}/reset`, { first: '123456' }, 400, 'api.invalid'],
    ['a completion without a code', 'POST', (h: Holder) => `${base(h)}/complete`, {}, 400, 'api.invalid'],
    ['a token name that is too long', 'POST', (h: Holder) => `/users/${h.user.id}/tokens`, { name: 'x'.repeat(65) }, 400, 'api.invalid'],
    ['allowLast that is not true or false', 'DELETE', (h: Holder) => `${base(h)}?allowLast=yes`, undefined, 400, 'api.invalid'],
  ])('answers %s with the right error', async (_, method, path, body, status, error) => {
    const h = await holder();
    const other = await holder();
    const res = await api.admin.request(method, path(h, other), body);
    expect([res.status, res.body.error]).toEqual([status, error]);
    expect(await tokensOf(h.user.id)).toHaveLength(1);
    expect(await tokensOf(other.user.id)).toHaveLength(1);
  });
});
