// The softtoken app against the real server: activations issued by the ActivationService, redeemed
// by the app's own code over HTTP; the server's stored secret and the app's codes must agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { ACTIVATION_ERRORS } from '../../src/tokens/activation-crypto.js';
import { totpCode } from '../../src/tokens/totp.js';
import type { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { runSofttoken } from '../../src/softtoken/softtoken-app.js';
import { scriptedIo } from '../support/scripted-io.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const EXPIRED =
  'The soft token could not be activated because the activation code has expired. Return to your Identity Provider and attempt the action again.';

describe('softtoken app against the real server', () => {
  let server: TestServer;
  let user: UserEntity;
  let dir: string;
  let offset = 0;
  const now = () => Date.now() + offset;

  beforeAll(async () => {
    server = await startTestServer({ overrides: { clock: { now } } });
    user = await server.app.services.users.create({ username: 'carol', email: 'carol@example.com', name: 'Carol', password: 'carol password 1' });
    dir = mkdtempSync(join(tmpdir(), 'softtoken-app-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function st(argv: string[], at = now()) {
    const io = scriptedIo([], { now: at });
    const code = await runSofttoken(argv, io, { SOFTTOKEN_VAULT: join(dir, 'vault.json'), SOFTTOKEN_PIN: '8642' });
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  }

  async function issue(name: string) {
    const { tokens, activations } = server.app.services;
    const token = await tokens.createForSofttoken(user, name);
    return { token, details: await activations.issue(user, token) };
  }

  /** The app's code for `name` equals the code from the secret the server stored. */
  async function expectSameSecret(name: string, tokenId: string) {
    const token = await server.app.services.tokens.get(user.id, tokenId);
    // One instant for the app and the check, so a time step boundary between them cannot matter.
    const at = now();
    const r = await st(['code', name, '--json'], at);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).code).toBe(totpCode(server.app.services.tokens.secretOf(token), server.app.services.tokens.params(token), at));
    return token;
  }

  it('activates from the e-mailed link', async () => {
    const { token, details } = await issue('Laptop');
    const r = await st(['activate', '--link', details.link, '--name', 'laptop']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain(`serial ${token.serial}`);
    expect((await expectSameSecret('laptop', token.id)).state).toBe('active');
  });

  it('activates from the QR image and the password', async () => {
    const { token, details } = await issue('Desk');
    const file = join(dir, 'qr.png');
    await QRCode.toFile(file, details.qrPayload, { margin: 2, width: 240 });
    const wrong = await st(['activate', '--qr', file, '--password', details.password === '00000000' ? '11111111' : '00000000', '--name', 'desk']);
    expect([wrong.code, wrong.err]).toEqual([1, 'The activation password is incorrect.']);
    const r = await st(['activate', '--qr', file, '--password', details.password, '--name', 'desk']);
    expect(r.code).toBe(0);
    expect((await expectSameSecret('desk', token.id)).state).toBe('active');
  });

  it('activates from the manual details; the printed registration code completes it', async () => {
    const { token, details } = await issue('Manual');
    const r = await st(['activate', '--address', details.address, '--serial', details.serial, '--activation-code', details.activationCode, '--name', 'manual', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.registrationRequired).toBe(true);
    expect((await expectSameSecret('manual', token.id)).state).toBe('pending');
    const done = await server.app.services.tokens.completeRegistration(user.id, token.id, out.registrationCode);
    expect(done.state).toBe('active');
  });

  it('reports a used link and an expired activation in the contract words', async () => {
    const { details } = await issue('Used');
    expect((await st(['activate', '--link', details.link, '--name', 'used-1'])).code).toBe(0);
    const again = await st(['activate', '--link', details.link, '--name', 'used-2', '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.out).error).toBe('already_used');

    const late = await issue('Late');
    offset = server.config.tokens.activationTtl * 1000 + 1000;
    try {
      const r = await st(['activate', '--link', late.details.link, '--name', 'late', '--json']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(EXPIRED);
      expect(ACTIVATION_ERRORS).toContain(JSON.parse(r.out).error);
    } finally {
      offset = 0;
    }
  });
});
