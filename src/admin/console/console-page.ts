// Rendering and post/redirect/get for the admin console pages.
import type { Context } from 'koa';
import type nunjucks from 'nunjucks';
import { AppError } from '../../errors/app-error.js';
import type { MessageCode } from '../../errors/messages.js';
import { can } from '../permissions.js';
import type { AdminContext } from '../actions/admin-context.js';
import type { FlashMessages } from './flash.js';

export class ConsolePage {
  constructor(
    private readonly views: nunjucks.Environment,
    private readonly flash: FlashMessages,
  ) {}

  render(ctx: Context, template: string, data: Record<string, unknown> = {}): void {
    const admin = ctx.state.admin as AdminContext;
    ctx.type = 'html';
    ctx.body = this.views.render(template, {
      ...this.flash.take(ctx),
      ...data,
      csrfToken: ctx.state.csrfToken,
      me: ctx.state.adminUser,
      can: (permission: Parameters<typeof can>[1]) => can(admin.role, permission),
    });
  }

  /** Runs an action, then redirects to `back` with its outcome as a one-shot notice. */
  async act(ctx: Context, back: string, success: MessageCode, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.flash.set(ctx, { kind: 'notice', code: success });
    } catch (err) {
      if (!(err instanceof AppError) || !err.expose) throw err;
      this.flash.set(ctx, { kind: 'error', code: err.code, params: err.params });
    }
    ctx.status = 303;
    ctx.redirect(back);
  }
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
