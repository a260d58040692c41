// Tells a value the database refused (PostgreSQL's class 22, "data exception": a NUL byte, text that
// is not a number or a UUID, a number out of range) from a query that failed. Such a value came
// from the request: its sender made the mistake, and nothing was written.
import { driverErrorMatches } from './driver-error.js';

export function isRefusedInput(err: unknown): boolean {
  return driverErrorMatches(err, ({ code }) => typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code));
}
