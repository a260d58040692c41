// SMS through an HTTP gateway: a JSON POST of { to, text } to SMS_WEBHOOK_URL, over kept-alive
// connections (node:http costs a fraction of fetch's CPU for the same exchange).
import http from 'node:http';
import https from 'node:https';
import type { Sms, SmsChannel } from './message.js';

export class SmsWebhookChannel implements SmsChannel {
  readonly #client: typeof http | typeof https;
  readonly #agent: http.Agent;

  constructor(
    private readonly url: string,
    private readonly token?: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.#client = new URL(url).protocol === 'https:' ? https : http;
    this.#agent = new this.#client.Agent({ keepAlive: true });
  }

  async sendSms(sms: Sms): Promise<void> {
    const body = JSON.stringify({ to: sms.to, text: sms.text });
    const status = await this.#post(body).catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
      // The gateway closed an idle kept-alive connection as we reused it: nothing reached it, try once more.
      if (err.reusedSocket && err.code === 'ECONNRESET') return this.#post(body);
      throw err;
    });
    if (status < 200 || status > 299) throw new Error(`SMS gateway answered ${status}`);
  }

  #post(body: string): Promise<number> {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = this.#client.request(this.url, { method: 'POST', headers, agent: this.#agent, signal: AbortSignal.timeout(this.timeoutMs) }, (res) => {
        // The answer's body is not needed: read it away so the connection goes back to the pool.
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  }
}
