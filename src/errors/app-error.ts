// An expected failure, named by a stable code; the words users read come from messages.ts.
import type { MessageCode } from './messages.js';

export class AppError extends Error {
  readonly code: MessageCode;
  readonly status: number;
  readonly params: Record<string, string | number>;

  constructor(code: MessageCode, status = 400, params: Record<string, string | number> = {}) {
    super(code);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.params = params;
  }

  /** 4xx errors are the user's to read; anything else stays generic. */
  get expose(): boolean {
    return this.status < 500;
  }
}
