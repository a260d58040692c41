// Tells a value the database refused (PostgreSQL's class 22, "data exception": a NUL byte, text that
// is not a number or a UUID, a number out of range) from a query that failed. Such a value came
// from the request: its sender made the mistake, and nothing was written.
export function isRefusedInput(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const { code, driverError } = err as { code?: unknown; driverError?: unknown };
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return true;
  return isRefusedInput(driverError, depth + 1);
}
