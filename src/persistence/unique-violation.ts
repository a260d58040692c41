// Tells an INSERT refused by a unique index (PostgreSQL's 23505, SQLite's UNIQUE constraint) from a
// query that failed: another request wrote the same key first.
import { driverErrorMatches } from './driver-error.js';

export function isUniqueViolation(err: unknown): boolean {
  return driverErrorMatches(err, ({ code, message }) => code === '23505' || (code === 'SQLITE_CONSTRAINT' && typeof message === 'string' && message.includes('UNIQUE constraint failed')));
}
