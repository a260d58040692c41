// What a body that cannot be read means: the sender's mistake, never ours. Too large is 413; a
// wrong type keeps its 415; anything else the parser met (bad JSON, a bad escape, a compressed
// body that does not inflate, a connection cut mid-body) is a 400. Every parser uses this.
import { AppError } from '../errors/app-error.js';

export function bodyError(err: Error): never {
  const status = (err as { status?: number }).status;
  if (status === 413) throw new AppError('request.too_large');
  if (status === 415) throw new AppError('request.invalid', {}, 415);
  throw new AppError('request.invalid', {}, 400);
}
