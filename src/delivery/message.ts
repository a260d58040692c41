// What the delivery channels carry.
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
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
