// The one parser for every HTML form: urlencoded bodies only, and only strings survive. A bracketed
// field (`a[]=x`, `a[b]=x`) or anything else that is not a plain string never reaches a route.
import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { bodyError } from './body-errors.js';

/** A form's fields: one string each, or the strings of a repeated field (a multiple select). */
export type FormFields = Readonly<Record<string, string | readonly string[]>>;

const parse = bodyParser({ enableTypes: ['form'], formLimit: '64kb', onError: bodyError });

export function formBody(): Middleware {
  return (ctx, next) =>
    parse(ctx, async () => {
      ctx.state.form = clean((ctx.request as { body?: unknown }).body);
      await next();
    });
}

function clean(body: unknown): FormFields {
  const out: Record<string, string | string[]> = {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    // Only a repeated plain field (`g=a&g=b`) is a list; `g[]=a` parses the same way, and means the same.
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value;
  }
  return out;
}

function form(ctx: Context): FormFields {
  return (ctx.state.form as FormFields | undefined) ?? {};
}

/** One field as a string ('' when missing, repeated or not a string). */
export function field(ctx: Context, name: string): string {
  const value = form(ctx)[name];
  return typeof value === 'string' ? value : '';
}

/** A field that may repeat, as its strings. */
export function fields(ctx: Context, name: string): string[] {
  const value = form(ctx)[name];
  return typeof value === 'string' ? (value ? [value] : []) : value ? [...value] : [];
}

/** Every single-valued field: what a step or a form handler reads by name. */
export function formStrings(ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(form(ctx))) if (typeof value === 'string') out[key] = value;
  return out;
}
