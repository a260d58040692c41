// An expected failure, named by a stable code; its words, status and kind come from messages.ts.
import { entryFor, type ErrorKind, type MessageCode } from './messages.js';

export class AppError extends Error {
  readonly code: MessageCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly params: Record<string, string | number>;

  /** `status` overrides the table's only where one surface answers differently (the admin API's 422). */
  constructor(code: MessageCode, params: Record<string, string | number> = {}, status?: number) {
    super(code);
    const entry = entryFor(code);
    this.name = 'AppError';
    this.code = code;
    this.status = status ?? entry.status ?? 400;
    this.kind = entry.kind ?? 'mistake';
    this.params = params;
  }

  /** 4xx errors are the user's to read; anything else stays generic. */
  get expose(): boolean {
    return this.status < 500 || this.kind === 'unavailable';
  }

  /** A factor was presented and failed: the flow counts it towards the account's lockout. */
  get failedFactor(): boolean {
    return this.kind === 'factor';
  }
}
