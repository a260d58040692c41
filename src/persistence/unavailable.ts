// Tells an unreachable database (refused, dropped, shutting down, too busy) from a query that failed.
import { driverErrorMatches } from './driver-error.js';

const CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE',
  // PostgreSQL: connection exceptions (08…), shutting down or starting (57P0…), too many connections.
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
  // SQLite: the file is locked past the busy timeout, or cannot be read.
  'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_IOERR',
]);
const MESSAGES = /connection terminated|connection (?:is )?(?:closed|ended)|terminating connection|timeout exceeded when trying to connect|database system is (?:starting up|shutting down)/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  return driverErrorMatches(err, ({ code, message }) => (typeof code === 'string' && CODES.has(code)) || (typeof message === 'string' && MESSAGES.test(message)));
}
