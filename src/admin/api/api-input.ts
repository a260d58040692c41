// What every admin API route shares: the caller as an AdminContext, and zod checks on raw input
// that answer 400 with the field at fault.
import type { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { AdminActor } from '../admin-api-auth.js';
import type { AdminContext } from '../actions/admin-context.js';

/** The service account that adminApiAuth admitted, and the address it called from. */
export function adminOf(ctx: { state: Record<string, unknown>; ip: string }): AdminContext {
  return { ...(ctx.state.admin as AdminActor), ip: ctx.ip };
}

export function input<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new AppError('api.invalid', { field: issue.path.map(String).join('.') || 'body', reason: issue.message });
}

/** An action that returns nothing answers 204. */
export function noContent(ctx: { status: number }): void {
  ctx.status = 204;
}
