// Tells an INSERT refused by a unique index (PostgreSQL's 23505, SQLite's UNIQUE constraint) from a
// query that failed: another request wrote the same key first.
export function isUniqueViolation(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const { code, message, driverError } = err as { code?: unknown; message?: unknown; driverError?: unknown };
  if (code === '23505') return true;
  if (code === 'SQLITE_CONSTRAINT' && typeof message === 'string' && message.includes('UNIQUE constraint failed')) return true;
  return isUniqueViolation(driverError, depth + 1);
}
