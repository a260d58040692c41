// The SMS gateway channel against real HTTP servers: what it sends, what counts as delivered, a
// gateway that never answers, and a kept-alive connection the gateway dropped.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmsWebhookChannel } from '../../src/delivery/sms-webhook.channel.js';

interface Received {
  body: string;
  authorization?: string;
  contentType?: string;
}

let server: Server | undefined;

async function gateway(handle: (req: IncomingMessage, res: ServerResponse, received: Received) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = { body, authorization: req.headers.authorization, contentType: req.headers['content-type'] };
      received.push(r);
      handle(req, res, r);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received };
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (!running) return;
  running.closeAllConnections();
  await new Promise((resolve) => running.close(resolve));
});

describe('SMS webhook channel', () => {
  it('posts the number and text as JSON with the bearer token, and many messages over kept-alive connections', async () => {
    const sockets = new Set<unknown>();
    const gw = await gateway((req, res) => {
      sockets.add(req.socket);
      res.end('{"id":"accepted"}');
    });
    const channel = new SmsWebhookChannel(gw.url, 'gateway-token');
    for (let i = 0; i < 5; i++) await channel.sendSms({ to: '+15550000001', text: `PIN ${i}` });
    expect(gw.received.map((r) => JSON.parse(r.body))).toEqual([0, 1, 2, 3, 4].map((i) => ({ to: '+15550000001', text: `PIN ${i}` })));
    expect(gw.received.every((r) => r.authorization === 'Bearer gateway-token' && r.contentType === 'application/json')).toBe(true);
    expect(sockets.size).toBe(1);
  });

  it('sends no authorization header without a token', async () => {
    const gw = await gateway((_, res) => res.end());
    await new SmsWebhookChannel(gw.url).sendSms({ to: '+1555', text: 'x' });
    expect(gw.received[0]!.authorization).toBeUndefined();
  });

  it.each([500, 404, 302])('reports a gateway answering %i as not delivered', async (status) => {
    const gw = await gateway((_, res) => {
      res.statusCode = status;
      res.end('no');
    });
    await expect(new SmsWebhookChannel(gw.url).sendSms({ to: '+1555', text: 'x' })).rejects.toThrow(`SMS gateway answered ${status}`);
  });

  it('gives up on a gateway that does not answer in time', async () => {
    const gw = await gateway(() => undefined);
    const started = Date.now();
    await expect(new SmsWebhookChannel(gw.url, undefined, 300).sendSms({ to: '+1555', text: 'x' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(gw.received).toHaveLength(1);
  });

  it('reports a gateway that is not there', async () => {
    const gw = await gateway((_, res) => res.end());
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await expect(new SmsWebhookChannel(gw.url).sendSms({ to: '+1555', text: 'x' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('sends again on a new connection when the gateway drops a kept-alive one', async () => {
    const perSocket = new Map<unknown, number>();
    const gw = await gateway((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a connection finds it closed by the gateway.
      if (n === 2) req.socket.destroy();
      else res.end();
    });
    const channel = new SmsWebhookChannel(gw.url);
    await channel.sendSms({ to: '+1555', text: 'first' });
    await expect(channel.sendSms({ to: '+1555', text: 'second' })).resolves.toBeUndefined();
    expect(gw.received.map((r) => JSON.parse(r.body).text)).toEqual(['first', 'second', 'second']);
    expect(perSocket.size).toBe(2);
  });
});
