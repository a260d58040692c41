// My Profile → Language: the language saved for e-mails and SMS, and for pages when neither the
// application nor the browser asks for one. Not a sensitive change: no recent sign-in needed.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditContext } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { field } from '../http/form-body.js';
import type { PageResponder } from '../http/page-responder.js';
import { isLocale } from '../i18n/locale.js';
import type { Services } from '../services.js';
import { portalUser } from './portal-auth.js';

export interface LanguagePagesDeps {
  s: Services;
  page: PageResponder;
  audit: (ctx: Context) => AuditContext;
  home: string;
}

export function languagePages(router: Router, { s, page, audit, home }: LanguagePagesDeps): void {
  router.post('/language', (ctx) =>
    page.act(ctx, `${home}#language`, 'portal.language_saved', async () => {
      const chosen = field(ctx, 'locale');
      if (chosen !== '' && !isLocale(chosen)) throw new AppError('request.invalid');
      await s.users.setLocale(portalUser(ctx).id, chosen === '' ? null : chosen, audit(ctx));
    }),
  );
}
