// A real HTTP server standing in for the SMS gateway: it records every webhook POST.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedSms {
  to: string;
  text: string;
  authorization?: string;
}

export class SmsCapture {
  readonly messages: CapturedSms[] = [];
  /** Status the gateway answers with; set to 500 to simulate an outage. */
  status = 200;
  #server: Server;
  #waiters: Array<() => void> = [];

  constructor() {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (this.status === 200) {
          const parsed = JSON.parse(body) as { to: string; text: string };
          this.messages.push({ ...parsed, authorization: req.headers.authorization });
          this.#waiters.splice(0).forEach((w) => w());
        }
        res.statusCode = this.status;
        res.end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/sms`;
  }

  last(to: string): CapturedSms {
    const found = [...this.messages].reverse().find((m) => m.to === to);
    if (!found) throw new Error(`no SMS to ${to}`);
    return found;
  }

  /** Waits for a message to `to` among those after the first `after`. */
  async next(to: string, after = 0, timeoutMs = 10_000): Promise<CapturedSms> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(after).find((m) => m.to === to);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no SMS to ${to}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
