// One-shot notices across a redirect (post/redirect/get): a message code and its parameters in a
// short-lived sealed cookie scoped to one area's path — never text taken from the request.
import type { Context } from 'koa';
import type { MessageCode } from '../errors/messages.js';
import { messageFor } from '../errors/messages.js';
import type { Locale } from '../i18n/locale.js';
import type { SecretBox } from '../security/secret-box.js';

export interface Flash {
  kind: 'notice' | 'error';
  code: MessageCode;
  params?: Record<string, string | number>;
}

export class FlashMessages {
  readonly #cookie: string;

  /** `path` is the area's prefix, e.g. /admin or /account. */
  constructor(private readonly box: SecretBox, private readonly secure: boolean, private readonly path: string) {
    this.#cookie = `${path.replace(/\W/g, '')}_flash`;
  }

  set(ctx: Context, flash: Flash): void {
    ctx.cookies.set(this.#cookie, this.box.seal(JSON.stringify(flash), this.#cookie), { httpOnly: true, sameSite: 'lax', secure: this.secure, path: this.path, maxAge: 60_000, overwrite: true });
  }

  /** Reads and clears the pending notice as { notice } or { error } text for the page, in its language. */
  take(ctx: Context, locale?: Locale): { notice?: string; error?: string } {
    const sealed = ctx.cookies.get(this.#cookie);
    if (!sealed) return {};
    ctx.cookies.set(this.#cookie, null, { path: this.path, overwrite: true });
    try {
      const flash = JSON.parse(this.box.openText(sealed, this.#cookie)) as Flash;
      return { [flash.kind]: messageFor(flash.code, flash.params, locale) };
    } catch {
      return {};
    }
  }
}
