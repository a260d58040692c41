// The device authorization grant (RFC 8628) for command-line tools and TVs: the pages a person
// meets at /device, in our layout. oidc-provider checks the forms (its `xsrf` field, tied to its
// session cookie); the forms here are ours so that no inline script reaches the page (CSP). After
// the code is confirmed, the usual sign-in runs (the interaction pages, the application's rule
// and level), then the device's polling at /token receives the tokens.
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type nunjucks from 'nunjucks';
import { localeLocals, requestLocale } from '../http/views.js';
import { messageFor, type MessageCode } from '../errors/messages.js';

type Features = NonNullable<Configuration['features']>;

/** The error oidc-provider re-renders the code page with, as our message. */
const MESSAGES: Record<string, MessageCode> = {
  NoCodeError: 'device.code_invalid',
  NotFoundError: 'device.code_invalid',
  ExpiredError: 'device.code_expired',
  AlreadyUsedError: 'device.code_used',
  AbortedError: 'device.aborted',
};

const xsrfOf = (form: string) => /name="xsrf" value="([^"]*)"/.exec(form)?.[1] ?? '';

export function deviceFlow(views: nunjucks.Environment): Features['deviceFlow'] {
  const render = (ctx: KoaContextWithOIDC, template: string, data: object) => {
    ctx.type = 'html';
    const locale = requestLocale(views, { uiLocales: ctx.oidc.params?.ui_locales, acceptLanguage: ctx.get('accept-language') });
    ctx.body = views.render(template, { ...data, ...localeLocals(locale) });
  };
  return {
    enabled: true,
    // 8 letters of 20 (no vowels, no look-alikes): about 34.5 bits, RFC 8628 §6.1's example.
    charset: 'base-20',
    mask: '****-****',
    async userCodeInputSource(ctx, form, _out, err) {
      const name = (err as { name?: string } | undefined)?.name;
      const userCode = (err as { userCode?: string } | undefined)?.userCode;
      const error = err ? messageFor(MESSAGES[name ?? ''] ?? 'device.failed') : undefined;
      render(ctx, 'device/code.njk', { action: ctx.oidc.urlFor('code_verification'), xsrf: xsrfOf(form), userCode, error });
    },
    async userCodeConfirmSource(ctx, form, client, deviceInfo, userCode) {
      const info = deviceInfo as { ip?: string } | undefined;
      render(ctx, 'device/confirm.njk', {
        action: ctx.oidc.urlFor('code_verification'),
        xsrf: xsrfOf(form),
        userCode,
        clientName: client.clientName ?? client.clientId,
        deviceIp: info?.ip,
      });
    },
    async successSource(ctx) {
      render(ctx, 'device/done.njk', { clientName: ctx.oidc.client?.clientName });
    },
  };
}
