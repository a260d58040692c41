// My Profile signs in through the provider like any application. When the public issuer address is
// not reachable from the server itself (a container behind a load balancer without hairpin), the
// server reaches its own endpoints at INTERNAL_URL; browsers still use the public address.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pinFrom, SmtpCapture } from '../support/smtp-capture.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { type Transport, UserAgent } from '../support/user-agent.js';

// A name that resolves nowhere: only the test's browser knows where it points.
const PUBLIC = 'http://idp.public.invalid';
const PUBLIC_TLS = 'https://idp.secure.invalid';

/** A browser whose DNS sends the public name to `target`, through a load balancer that ends TLS. */
function browserReaching(target: string): Transport {
  const to = new URL(target);
  return (url, { method, headers, body }) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const sent = { ...headers, host: u.host, 'x-forwarded-proto': u.protocol.slice(0, -1), ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
      const req = request({ hostname: to.hostname, port: to.port, path: `${u.pathname}${u.search}`, method, headers: sent }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, setCookie: res.headers['set-cookie'] ?? [], location: res.headers.location, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
}

describe('INTERNAL_URL', () => {
  let smtp: SmtpCapture;
  let withInternal: TestServer;
  let without: TestServer;
  let behindTls: TestServer;

  beforeAll(async () => {
    smtp = new SmtpCapture();
    const SMTP_URL = await smtp.start();
    withInternal = await startTestServer({ env: (url) => ({ ISSUER: PUBLIC, INTERNAL_URL: url, SMTP_URL }) });
    without = await startTestServer({ env: { ISSUER: PUBLIC, SMTP_URL } });
    behindTls = await startTestServer({ env: (url) => ({ ISSUER: PUBLIC_TLS, INTERNAL_URL: url, TRUST_PROXY: 'true', SMTP_URL }) });
    for (const server of [withInternal, without, behindTls]) {
      await server.app.services.users.create({ username: 'ned', email: 'ned@example.com', password: 'ned password 1' });
    }
  });

  afterAll(async () => {
    await withInternal?.close();
    await without?.close();
    await behindTls?.close();
    await smtp?.stop();
  });

  async function signInToProfile(server: TestServer, publicUrl = PUBLIC) {
    const agent = new UserAgent({}, browserReaching(server.url));
    const start = await agent.get(`${publicUrl}/account`);
    const login = await agent.follow(start);
    const seen = smtp.messages.length;
    const pinPage = await agent.follow(await agent.submit(login, '/step/password', { login: 'ned', password: 'ned password 1' }));
    const pin = pinFrom((await smtp.next('ned@example.com', seen)).raw);
    return { start, done: await agent.follow(await agent.submit(pinPage, '/step/pin', { action: 'verify', pin })) };
  }

  it('signs in to My Profile at the public address while the server talks to itself inside', async () => {
    const { start, done } = await signInToProfile(withInternal);
    // The browser is sent to the public address…
    expect(start.location).toMatch(new RegExp(`^${PUBLIC}/auth\\?`));
    // …and the code exchange, made inside, succeeds.
    expect(done.url).toBe(`${PUBLIC}/account`);
    expect(done.html).toContain('<h1>My Profile</h1>');
  });

  it('keeps the public https scheme behind a TLS-ending proxy (TRUST_PROXY)', async () => {
    const { start, done } = await signInToProfile(behindTls, PUBLIC_TLS);
    expect(start.location).toMatch(new RegExp(`^${PUBLIC_TLS}/auth\\?`));
    expect(done.url).toBe(`${PUBLIC_TLS}/account`);
    expect(done.html).toContain('<h1>My Profile</h1>');
  });

  it('cannot sign in without it when the public address is out of reach', async () => {
    const agent = new UserAgent({}, browserReaching(without.url));
    const start = await agent.get(`${PUBLIC}/account`);
    expect(start.status).toBe(500);
    expect(start.html).not.toMatch(/ENOTFOUND|\n\s+at /);
  });
});
