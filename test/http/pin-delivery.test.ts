// PIN delivery: an SMS gateway outage is told to the user in plain words and audited, and the
// e-mail alternative still gets them in; with e-mail PINs turned off that alternative is not offered.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exchange, isCallback, openLogin, registerRelyingParty, startAuthorization, type RelyingParty } from '../support/relying-party.js';
import { SmsCapture } from '../support/sms-capture.js';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { UserAgent } from '../support/user-agent.js';

describe.each([
  ['e-mail allowed', 'true'],
  ['e-mail not allowed', 'false'],
])('PIN delivery with %s', (_, emailAllowed) => {
  let server: TestServer;
  let smtp: SmtpCapture;
  let sms: SmsCapture;
  let rp: RelyingParty;
  let smsUrl: string;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    sms = new SmsCapture();
    smsUrl = await sms.start();
    server = await startTestServer({ env: { SMTP_URL: await smtp.start(), SMS_WEBHOOK_URL: smsUrl, PIN_EMAIL_ALLOWED: emailAllowed, PIN_RESEND_COOLDOWN: '0' } });
    rp = await registerRelyingParty(server);
    await server.app.services.users.create({ username: 'hank', email: 'hank@example.com', mobile: '+15557770000', password: 'hank password 1' });
  });

  afterAll(async () => {
    await server?.close();
    await smtp?.stop();
    await sms?.stop();
  });

  it('reports a gateway outage, audits it, and offers the e-mail alternative only when allowed', async () => {
    sms.status = 500;
    const agent = new UserAgent();
    const auth = await startAuthorization(rp);
    const login = await openLogin(agent, auth);
    const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'hank', password: 'hank password 1' }));
    expect(pinPage.html).toContain('We could not send your PIN.');
    const user = (await server.app.services.users.findByLogin('hank'))!;
    const failures = await server.app.services.audit.list({ subject: user.id, type: 'delivery.failed' });
    expect(failures[0]?.details).toMatchObject({ channel: 'sms' });

    if (emailAllowed === 'false') {
      expect(pinPage.html).not.toContain('send the PIN by e-mail');
      const refused = await agent.submit(pinPage, '/step/pin', { action: 'resend' });
      expect(refused.html).toContain('We could not send your PIN.');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(pinPage.html)![1]!;
      const forced = await agent.post(new URL(pinPage.url).href.replace(/\/?$/, '/step/pin'), { _csrf: csrf, action: 'email' });
      expect(forced.html).toContain('Sending the PIN by e-mail is not allowed.');
      expect(smtp.messages.filter((m) => m.to.includes('hank@example.com'))).toHaveLength(0);
      sms.status = 200;
      return;
    }
    sms.status = 200;
    const seen = smtp.messages.length;
    const emailed = await agent.submit(pinPage, '/step/pin', { action: 'email' });
    expect(emailed.html).toContain('We sent a PIN to h•••@example.com.');
    const pin = pinFrom((await smtp.next('hank@example.com', seen)).raw);
    const done = await agent.follow(await agent.submit(emailed, '/step/pin', { action: 'verify', pin }), isCallback);
    expect((await exchange(rp, auth, done.url)).claims()!.amr).toEqual(['pwd', 'mail', 'mfa']);
  });

  it('asks to wait between two PINs when the cooldown has not passed', async () => {
    const cooled = await startTestServer({ env: { SMS_WEBHOOK_URL: smsUrl, PIN_EMAIL_ALLOWED: emailAllowed, PIN_RESEND_COOLDOWN: '60' } });
    try {
      const client = await registerRelyingParty(cooled);
      await cooled.app.services.users.create({ username: 'ivy', email: 'ivy@example.com', mobile: '+15557770001', password: 'ivy password 1' });
      const agent = new UserAgent();
      const login = await openLogin(agent, await startAuthorization(client));
      const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'ivy', password: 'ivy password 1' }));
      const again = await agent.submit(pinPage, '/step/pin', { action: 'resend' });
      expect(again.status).toBe(429);
      expect(again.html).toMatch(/Please wait \d+ seconds before requesting another PIN\./);
    } finally {
      await cooled.close();
    }
  });
});
