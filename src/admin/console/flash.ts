// One-shot notices across a redirect (post/redirect/get): a message code and its parameters in a
// short-lived sealed cookie — never text taken from the request.
import type { Context } from 'koa';
import type { MessageCode } from '../../errors/messages.js';
import { messageFor } from '../../errors/messages.js';
import type { SecretBox } from '../../security/secret-box.js';

interface Flash {
  kind: 'notice' | 'error';
  code: MessageCode;
  params?: Record<string, string | number>;
}

const COOKIE = 'admin_flash';

export class FlashMessages {
  constructor(private readonly box: SecretBox, private readonly secure: boolean) {}

  set(ctx: Context, flash: Flash): void {
    ctx.cookies.set(COOKIE, this.box.seal(JSON.stringify(flash), COOKIE), { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/admin', maxAge: 60_000, overwrite: true });
  }

  /** Reads and clears the pending notice as { notice } or { error } text for the page. */
  take(ctx: Context): { notice?: string; error?: string } {
    const sealed = ctx.cookies.get(COOKIE);
    if (!sealed) return {};
    ctx.cookies.set(COOKIE, null, { path: '/admin', overwrite: true });
    try {
      const flash = JSON.parse(this.box.openText(sealed, COOKIE)) as Flash;
      return { [flash.kind]: messageFor(flash.code, flash.params) };
    } catch {
      return {};
    }
  }
}
