// Development outbox: every message is kept as a JSON file under data/outbox instead of being sent.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mail, MailChannel, Sms, SmsChannel } from './message.js';

export type OutboxMessage = ({ kind: 'mail' } & Mail) | ({ kind: 'sms' } & Sms);
export type StoredMessage = OutboxMessage & { id: string; at: number };

export class OutboxChannel implements MailChannel, SmsChannel {
  constructor(private readonly dir: string) {}

  sendMail(mail: Mail): Promise<void> {
    // Attachments are kept as base64 so the files stay readable.
    const attachments = mail.attachments?.map((a) => ({ ...a, content: a.content.toString('base64') }));
    return this.#keep({ kind: 'mail', ...mail, attachments } as OutboxMessage);
  }

  sendSms(sms: Sms): Promise<void> {
    return this.#keep({ kind: 'sms', ...sms });
  }

  /** Newest first. */
  async list(limit = 50): Promise<StoredMessage[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const newest = names.filter((n) => n.endsWith('.json')).sort().reverse().slice(0, limit);
    return Promise.all(newest.map(async (n) => JSON.parse(await readFile(join(this.dir, n), 'utf8')) as StoredMessage));
  }

  async #keep(message: OutboxMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const at = Date.now();
    const id = randomUUID();
    const stored: StoredMessage = { ...message, id, at };
    await writeFile(join(this.dir, `${String(at).padStart(15, '0')}-${id}.json`), JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
}
