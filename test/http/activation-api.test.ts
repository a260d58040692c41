// POST /softtoken/activate against the real server: bad input, used, expired, voided and reissued
// activations all give a clear JSON error with a stable code, and change nothing they should not.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { messageFor, type MessageCode } from '../../src/errors/messages.js';
import { SoftTokenEntity } from '../../src/persistence/entities/soft-token.entity.js';
import { TokenActivationEntity } from '../../src/persistence/entities/token-activation.entity.js';
import { generateKeyPair, manualProof, parseQrPayload } from '../../src/tokens/activation-crypto.js';
import { activate } from '../support/softtoken-device.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const EXPIRED =
  'The soft token could not be activated because the activation code has expired. Return to your Identity Provider and attempt the action again.';
const STATUS: Record<string, number> = {
  invalid_request: 400,
  invalid_ticket: 403,
  invalid_password: 403,
  invalid_activation_code: 403,
  too_many_attempts: 403,
  already_used: 409,
  activation_expired: 410,
};

let server: TestServer;
let offset = 0;
let users = 0;
/** Moves the server's clock to an instant (its clock is Date.now() + offset). */
const setNow = (at: number) => (offset = at - Date.now());

beforeAll(async () => {
  server = await startTestServer({ env: { REQUIRE_SOFT_TOKEN: 'true' }, overrides: { clock: { now: () => Date.now() + offset } } });
});
afterAll(async () => server?.close());

type Pending = Awaited<ReturnType<typeof pending>>;

/** A softtoken-app token waiting for activation, as the enrolment page leaves it. */
async function pending() {
  const s = server.app.services;
  const name = `user${++users}`;
  const user = await s.users.create({ username: name, email: `${name}@example.com`, password: `${name} secret password` });
  const token = await s.tokens.createForSofttoken(user);
  const details = await s.activations.issue(user, token);
  return { user, token, details, link: new URL(details.link).searchParams.get('ticket')!, qr: parseQrPayload(details.qrPayload)!.ticket };
}

/** Everything a redemption could change, for before/after comparisons. */
async function stateOf(tokenId: string) {
  const token = await server.app.ds.getRepository(SoftTokenEntity).findOneByOrFail({ id: tokenId });
  const rows = await server.app.ds.getRepository(TokenActivationEntity).find({ where: { tokenId }, order: { id: 'ASC' } });
  return {
    token: { state: token.state, secret: token.secret, registrationPending: token.registrationPending, activatedAt: token.activatedAt },
    activations: rows.map((r) => ({ id: r.id, attempts: r.attempts, usedAt: r.usedAt, voidedAt: r.voidedAt })),
  };
}

async function post(request: { body?: unknown; raw?: string; contentType?: string }) {
  const res = await fetch(`${server.url}/softtoken/activate`, {
    method: 'POST',
    headers: { 'content-type': request.contentType ?? 'application/json' },
    body: request.raw ?? JSON.stringify(request.body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
}

/** The error answer: status, JSON, exactly { error, message } in the contract's words. */
function expectError(res: { status: number; type?: string; body: object }, error: string) {
  if (res.type !== undefined) expect(res.type).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error, message: messageFor(`activation.${error.replace(/^activation_/, '')}` as MessageCode) });
  expect(res.status).toBe(STATUS[error]);
}

const key = () => generateKeyPair().publicKey;

describe('activation API: bad input', () => {
  const cases: [string, string, (p: Pending) => { body?: unknown; raw?: string; contentType?: string }][] = [
    ['an empty object', 'invalid_request', () => ({ body: {} })],
    ['no public key', 'invalid_request', (p) => ({ body: { ticket: p.link } })],
    ['no credential', 'invalid_request', () => ({ body: { publicKey: key() } })],
    ['a serial without its proof', 'invalid_request', (p) => ({ body: { publicKey: key(), serial: p.token.serial } })],
    ['a proof without a serial', 'invalid_request', (p) => ({ body: { publicKey: key(), proof: manualProof(p.details.activationCode, p.token.serial, key()) } })],
    ['a numeric ticket', 'invalid_request', () => ({ body: { publicKey: key(), ticket: 12345678901234567890 } })],
    ['a numeric password', 'invalid_request', (p) => ({ body: { publicKey: key(), ticket: p.qr, password: Number(p.details.password) } })],
    ['a numeric serial', 'invalid_request', (p) => ({ body: { publicKey: key(), serial: Number(p.token.serial), proof: 'x'.repeat(43) } })],
    ['a public key as an array', 'invalid_request', (p) => ({ body: { publicKey: [key()], ticket: p.link } })],
    ['JSON null', 'invalid_request', () => ({ raw: 'null' })],
    ['a JSON array', 'invalid_request', (p) => ({ body: [{ publicKey: key(), ticket: p.link }] })],
    ['a JSON string', 'invalid_request', (p) => ({ body: p.link })],
    ['an extra field', 'invalid_request', (p) => ({ body: { publicKey: key(), ticket: p.link, state: 'active' } })],
    ['a ticket and a serial together', 'invalid_request', (p) => ({ body: { publicKey: key(), ticket: p.link, serial: p.token.serial, proof: 'x'.repeat(43) } })],
    ['a form-encoded body', 'invalid_request', (p) => ({ raw: new URLSearchParams({ publicKey: key(), ticket: p.link }).toString(), contentType: 'application/x-www-form-urlencoded' })],
    ['JSON sent as text/plain', 'invalid_request', (p) => ({ raw: JSON.stringify({ publicKey: key(), ticket: p.link }), contentType: 'text/plain' })],
    ['malformed JSON', 'invalid_request', (p) => ({ raw: `{"publicKey":"${key()}","ticket":"${p.link}"` })],
    // Valid but for 100 KB of whitespace: only the size limit stands between it and a redemption.
    ['a 100 KB body', 'invalid_request', (p) => ({ raw: `{"publicKey":"${key()}",${' '.repeat(100 * 1024)}"ticket":"${p.link}"}` })],
    ['a public key one character short', 'invalid_request', (p) => ({ body: { publicKey: key().slice(1), ticket: p.link } })],
    ['a public key in standard base64', 'invalid_request', (p) => ({ body: { publicKey: Buffer.from(generateKeyPair().publicKey, 'base64url').toString('base64'), ticket: p.link } })],
    ['a degenerate (all-zero) public key', 'invalid_request', (p) => ({ body: { publicKey: 'A'.repeat(43), ticket: p.link } })],
    ['an unknown ticket', 'invalid_ticket', () => ({ body: { publicKey: key(), ticket: 'A'.repeat(22) } })],
    ['an unknown serial', 'invalid_activation_code', (p) => ({ body: { publicKey: key(), serial: p.token.serial === '1000000000' ? '1000000001' : '1000000000', proof: 'x'.repeat(43) } })],
  ];

  it.each(cases)('%s → %s, and nothing changes', async (_label, error, request) => {
    const p = await pending();
    const before = await stateOf(p.token.id);
    expectError(await post(request(p)), error);
    const after = await stateOf(p.token.id);
    expect(after).toEqual(before);
    expect(after.token).toMatchObject({ state: 'pending', secret: null });
    expect(after.activations.map((a) => a.attempts)).toEqual([0]);
    // The activation is still whole: the link redeems.
    expect((await activate(server.url, { ticket: p.link })).status).toBe(200);
  });
});

describe('activation API: single use, lifetime and tries', () => {
  const entries: [string, (p: Pending) => Parameters<typeof activate>[1]][] = [
    ['link', (p) => ({ ticket: p.link })],
    ['QR + password', (p) => ({ ticket: p.qr, password: p.details.password })],
    ['manual', (p) => ({ serial: p.token.serial, activationCode: p.details.activationCode })],
  ];

  it.each(entries)('refuses the %s entry once the activation was used (already_used)', async (_label, entry) => {
    const p = await pending();
    const first = await activate(server.url, { ticket: p.link });
    expect(first.status).toBe(200);
    const before = await stateOf(p.token.id);
    expect(before.token.state).toBe('active');
    const again = await activate(server.url, entry(p));
    expectError(again, 'already_used');
    expect(await stateOf(p.token.id)).toEqual(before);
  });

  it.each(entries)('refuses the %s entry once the activation lifetime has passed (activation_expired)', async (_label, entry) => {
    const p = await pending();
    expect(p.details.expiresAt - (Date.now() + offset)).toBeGreaterThan(server.config.tokens.activationTtl * 1000 - 60_000);
    setNow(p.details.expiresAt + 1000);
    const before = await stateOf(p.token.id);
    const late = await activate(server.url, entry(p));
    expectError(late, 'activation_expired');
    expect(late.body.message).toBe(EXPIRED);
    expect(await stateOf(p.token.id)).toEqual(before);
    expect(before.token).toMatchObject({ state: 'pending', secret: null });
  });

  it.each(entries)('still accepts the %s entry just before the lifetime ends', async (_label, entry) => {
    const p = await pending();
    setNow(p.details.expiresAt - 5000);
    expect((await activate(server.url, entry(p))).status).toBe(200);
  });

  const wrongTries: [string, string, (p: Pending) => Parameters<typeof activate>[1]][] = [
    ['password', 'invalid_password', (p) => ({ ticket: p.qr, password: p.details.password === '00000000' ? '11111111' : '00000000' })],
    ['activation code', 'invalid_activation_code', (p) => ({ serial: p.token.serial, activationCode: p.details.activationCode.replace(/^./, (d) => String((Number(d) + 1) % 10)) })],
  ];

  it.each(wrongTries)('voids the activation after too many wrong tries of the %s', async (_label, error, wrong) => {
    const max = server.config.tokens.activationMaxTries;
    const p = await pending();
    for (let i = 1; i <= max; i++) expectError(await activate(server.url, wrong(p)), error);
    expectError(await activate(server.url, wrong(p)), 'too_many_attempts');
    for (const [, right] of entries) expectError(await activate(server.url, right(p)), 'too_many_attempts');
    const state = await stateOf(p.token.id);
    expect(state.token).toMatchObject({ state: 'pending', secret: null });
    expect(state.activations).toEqual([expect.objectContaining({ attempts: max, usedAt: null, voidedAt: expect.any(Number) })]);
  });

  it('keeps to the try limit when wrong passwords arrive all at once', async () => {
    const p = await pending();
    const burst = await Promise.all(Array.from({ length: 12 }, () => activate(server.url, wrongTries[0]![2](p))));
    expect(burst.every((r) => r.status === 403)).toBe(true);
    expect(burst.filter((r) => r.body.error === 'invalid_password').length).toBeLessThanOrEqual(server.config.tokens.activationMaxTries);
    expectError(await activate(server.url, { ticket: p.qr, password: p.details.password }), 'too_many_attempts');
    expect((await stateOf(p.token.id)).token).toMatchObject({ state: 'pending', secret: null });
  });

  it('voids the old activation when a new one is issued; the new one works', async () => {
    const old = await pending();
    const again = await server.app.services.activations.issue(old.user, old.token);
    const renewed = new URL(again.link).searchParams.get('ticket')!;
    expect(renewed).not.toBe(old.link);
    expectError(await activate(server.url, { ticket: old.link }), 'activation_expired');
    expectError(await activate(server.url, { ticket: old.qr, password: old.details.password }), 'activation_expired');
    expect((await stateOf(old.token.id)).token).toMatchObject({ state: 'pending', secret: null });
    const ok = await activate(server.url, { ticket: renewed });
    expect(ok.status).toBe(200);
    expect((await stateOf(old.token.id)).token.state).toBe('active');
  });

  it('gives the old device nothing when a new activation is issued while its own is being redeemed', async () => {
    const old = await pending();
    const { tokens, activations } = server.app.services;
    // The reissue lands after the old activation is claimed and before its secret is written.
    const redeemed = tokens.redeemed.bind(tokens);
    let renewed: string | undefined;
    tokens.redeemed = async (...args) => {
      const again = await activations.issue(old.user, (await tokens.findById(old.token.id))!);
      renewed = new URL(again.link).searchParams.get('ticket')!;
      return redeemed(...args);
    };
    let res;
    try {
      res = await activate(server.url, { ticket: old.link });
    } finally {
      tokens.redeemed = redeemed;
    }
    expectError(res, 'already_used');
    expect((await stateOf(old.token.id)).token).toMatchObject({ state: 'pending', secret: null });
    const failures = await server.app.services.audit.list({ type: 'token.activation_redeemed', subject: old.user.id });
    expect(failures).toEqual([expect.objectContaining({ outcome: 'failure', details: expect.objectContaining({ reason: 'superseded' }) })]);
    expect((await activate(server.url, { ticket: renewed! })).status).toBe(200);
    expect((await stateOf(old.token.id)).token.state).toBe('active');
  });

  it('never redeems on GET of the e-mailed link', async () => {
    const p = await pending();
    const before = await stateOf(p.token.id);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(p.details.link);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('does not activate anything');
    }
    expect(await stateOf(p.token.id)).toEqual(before);
    expect((await activate(server.url, { ticket: p.link })).status).toBe(200);
  });

  it.each(entries)('lets exactly one of five simultaneous %s redemptions through', async (_label, entry) => {
    const p = await pending();
    const results = await Promise.all(Array.from({ length: 5 }, () => activate(server.url, entry(p))));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectError(r, 'already_used');
    // The one secret stored is the winner's.
    const token = await server.app.ds.getRepository(SoftTokenEntity).findOneByOrFail({ id: p.token.id });
    expect(server.app.services.tokens.secretOf(token)).toEqual(winners[0]!.secret);
  });
});
