// What the delivery channels carry.
export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Referenced from the HTML body as cid:… (inline images). */
  cid?: string;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: Attachment[];
}

export interface Sms {
  to: string;
  text: string;
}

export interface MailChannel {
  sendMail(mail: Mail): Promise<void>;
}

export interface SmsChannel {
  sendSms(sms: Sms): Promise<void>;
}
