// Assurance levels through openid-client: discovery publishes them weakest first, every ID token's
// acr/amr say exactly what was proven, a signed-in user asked for more is asked only for what is
// missing (step-up, auth_time moves), and a level out of reach is the OIDC error, never a weaker token.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mailText } from '../support/mail-text.js';
import { exchange, isCallback, openLogin, registerRelyingParty, type RelyingParty, startAuthorization } from '../support/relying-party.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Page, UserAgent } from '../support/user-agent.js';

describe('assurance levels', () => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let intranet: RelyingParty;
  let ledger: RelyingParty;
  let n = 0;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), PIN_RESEND_COOLDOWN: '0' } });
    intranet = await registerRelyingParty(server, { clientId: 'intranet' });
    ledger = await registerRelyingParty(server, { clientId: 'ledger' });
    await server.app.services.clientRules.set('intranet', { allowedGroups: [], minLevel: 'urn:idp:acr:1fa' });
  });
  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
  });

  async function user() {
    const username = `level${++n}`;
    await server.app.services.users.create({ username, email: `${username}@example.com`, password: `${username} password 1`, role: 'user' });
    return { username, email: `${username}@example.com`, password: `${username} password 1` };
  }

  async function pinStep(agent: UserAgent, page: Page, email: string, seen: number): Promise<Page> {
    expect(page.html).toContain('name="pin"');
    const pin = pinFrom(mailText((await smtp.next(email, seen)).raw));
    return agent.follow(await agent.submit(page, '/step/pin', { action: 'verify', pin }), isCallback);
  }

  it('publishes the levels weakest first', async () => {
    expect(intranet.config.serverMetadata().acr_values_supported).toEqual(['urn:idp:acr:1fa', 'urn:idp:acr:mfa', 'urn:idp:acr:phr']);
  });

  it('gives one factor where the rule asks one, then steps up to two for another application without asking the password again', async () => {
    const u = await user();
    const agent = new UserAgent();
    const first = await startAuthorization(intranet);
    const login = await openLogin(agent, first);
    const done = await agent.follow(await agent.submit(login, '/step/password', { login: u.username, password: u.password }), isCallback);
    const one = (await exchange(intranet, first, done.url)).claims()!;
    expect(one).toMatchObject({ acr: 'urn:idp:acr:1fa', amr: ['pwd'] });

    await new Promise((r) => setTimeout(r, 1100)); // auth_time is in seconds
    const seen = smtp.messages.length;
    const second = await startAuthorization(ledger);
    const stepUp = await openLogin(agent, second);
    expect(stepUp.html).not.toContain('name="password"');
    const callback = await pinStep(agent, stepUp, u.email, seen);
    const two = (await exchange(ledger, second, callback.url)).claims()!;
    expect(two.sub).toBe(one.sub);
    expect(two).toMatchObject({ acr: 'urn:idp:acr:mfa', amr: ['pwd', 'mail', 'mfa'] });
    expect(two.auth_time).toBeGreaterThan(one.auth_time!);
  });

  it('steps up on acr_values for the same application, and an essential acr claim is answered with a listed value', async () => {
    const u = await user();
    const agent = new UserAgent();
    const first = await startAuthorization(intranet);
    const login = await openLogin(agent, first);
    await agent.follow(await agent.submit(login, '/step/password', { login: u.username, password: u.password }), isCallback);

    const seen = smtp.messages.length;
    const more = await startAuthorization(intranet, { acr_values: 'urn:idp:acr:mfa' });
    const callback = await pinStep(agent, await openLogin(agent, more), u.email, seen);
    expect((await exchange(intranet, more, callback.url)).claims()).toMatchObject({ acr: 'urn:idp:acr:mfa', amr: ['pwd', 'mail', 'mfa'] });

    // Already at two factors: an essential claim for one factor is met without a prompt, and the acr is one it listed.
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:idp:acr:1fa'] } } });
    const essential = await startAuthorization(intranet, { claims });
    const silent = await agent.follow(await agent.get(essential.url.href), isCallback);
    expect(isCallback(silent.url)).toBe(true);
    expect((await exchange(intranet, essential, silent.url)).claims()!.acr).toBe('urn:idp:acr:1fa');
  });

  it('ends in unmet_authentication_requirements when the request asks for a level the account cannot reach', async () => {
    const u = await user();
    const agent = new UserAgent();
    const auth = await startAuthorization(ledger, { acr_values: 'urn:idp:acr:phr' });
    const login = await openLogin(agent, auth);
    const refused = await agent.follow(await agent.submit(login, '/step/password', { login: u.username, password: u.password }), isCallback);
    expect(isCallback(refused.url)).toBe(true);
    await expect(exchange(ledger, auth, refused.url)).rejects.toMatchObject({ error: 'unmet_authentication_requirements' });
  });
});
