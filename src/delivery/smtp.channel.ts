// E-mail over SMTP with nodemailer (SMTP_URL).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Mail, MailChannel } from './message.js';

export class SmtpChannel implements MailChannel {
  readonly #transport: Transporter;

  constructor(url: string, private readonly from: string) {
    this.#transport = nodemailer.createTransport(url);
  }

  async sendMail(mail: Mail): Promise<void> {
    await this.#transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, attachments: mail.attachments });
  }

  close(): void {
    this.#transport.close();
  }
}
