// The benchmark's browser speaks plain node:http over kept-alive connections: the client shares the
// machine with the server, so the less CPU it spends, the more the figures say about the server.
import http from 'node:http';
import type { Transport } from '../../test/support/user-agent.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export const keepAliveTransport: Transport = (url, { method, headers, body }) =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        resolve({ status: res.statusCode!, setCookie, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
