// SMS through an HTTP gateway: a JSON POST of { to, text } to SMS_WEBHOOK_URL.
import type { Sms, SmsChannel } from './message.js';

export class SmsWebhookChannel implements SmsChannel {
  constructor(
    private readonly url: string,
    private readonly token?: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async sendSms(sms: Sms): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ to: sms.to, text: sms.text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // Discard the answer's body so the connection goes back to the pool at once.
    await res.body?.cancel();
    if (!res.ok) throw new Error(`SMS gateway answered ${res.status}`);
  }
}
