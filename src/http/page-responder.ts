// Rendering and post/redirect/get for the provider's own signed-in pages (admin console, My Profile).
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import { AppError } from '../errors/app-error.js';
import type { MessageCode } from '../errors/messages.js';
import type { Flash, FlashMessages } from './flash.js';

export class PageResponder {
  constructor(
    private readonly views: nunjucks.Environment,
    readonly flash: FlashMessages,
    /** What every page of the area needs (the signed-in user, permissions…). */
    private readonly common: (ctx: Context) => Record<string, unknown> = () => ({}),
  ) {}

  render(ctx: Context, template: string, data: Record<string, unknown> = {}): void {
    ctx.type = 'html';
    ctx.body = this.views.render(template, { ...this.flash.take(ctx), ...data, ...this.common(ctx), csrfToken: ctx.state.csrfToken });
  }

  /**
   * Runs an action, then redirects with its outcome as a one-shot notice. The action may say where
   * to go instead of `back` and which notice to show instead of `success`. Errors meant for users
   * become the notice; others propagate to the error page.
   */
  async act(ctx: Context, back: string, success: MessageCode, action: () => Promise<ActOutcome | unknown>): Promise<void> {
    let to = back;
    try {
      const result = (await action()) as ActOutcome | undefined;
      if (typeof result?.redirect === 'string' && result.redirect.startsWith('/')) to = result.redirect;
      const notice = result?.notice ?? { code: success };
      this.flash.set(ctx, { kind: 'notice', ...notice });
    } catch (err) {
      if (!(err instanceof AppError) || !err.expose) throw err;
      this.flash.set(ctx, { kind: 'error', code: err.code, params: err.params });
    }
    ctx.status = 303;
    ctx.redirect(to);
  }
}

export interface ActOutcome {
  redirect?: string;
  notice?: Omit<Flash, 'kind'>;
}

export function field(ctx: Context, name: string): string {
  const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

export function fields(ctx: Context, name: string): string[] {
  const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
  const value = body[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' && value ? [value] : [];
}
