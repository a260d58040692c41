// What a failed query says, where it says it: TypeORM wraps the driver's own error
// (QueryFailedError.driverError), and the code or message that tells what happened may be on either.
export interface DriverFault {
  code: unknown;
  message: unknown;
}

/**
 * Whether `err`, or a driver error it wraps (a few levels down), matches `test`. Only the driver's
 * own error is followed: a failed outgoing HTTP request (fetch's `cause`) is not the database.
 */
export function driverErrorMatches(err: unknown, test: (fault: DriverFault) => boolean): boolean {
  let current = err;
  for (let depth = 0; current && typeof current === 'object' && depth <= 4; depth++) {
    const { code, message, driverError } = current as { code?: unknown; message?: unknown; driverError?: unknown };
    if (test({ code, message })) return true;
    current = driverError;
  }
  return false;
}
