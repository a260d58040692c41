// Admin console: the audit log — people by username (and filtered by username), times that the
// reader's browser shows in its own zone (the `localtime` filter; UTC, labelled, without script), and the export.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuditFilter } from '../../audit/audit.service.js';
import type { ConsolePages } from './console-pages.js';
import type { Services } from '../../services.js';
import type { AdminContext } from '../actions/admin-context.js';
import { PolicyActions } from '../actions/policy.actions.js';

const q = (ctx: Context, name: string): string => {
  const v = ctx.query[name];
  return typeof v === 'string' ? v.slice(0, 200) : '';
};

export function auditPage(router: Router, s: Services, page: ConsolePages): void {
  const policy = new PolicyActions(s);
  const admin = (ctx: Context) => ctx.state.admin as AdminContext;

  router.get('/audit', async (ctx) => {
    const { filter, unknownUser } = await auditFilter(ctx, s);
    const result = unknownUser ? { total: 0, events: [] } : await policy.audit(admin(ctx), { ...filter, limit: 100 });
    const names = await s.audit.accounts.names(result.events.flatMap((e) => [e.actor, e.subject]));
    // A deleted account is shown by its id; a non-person actor (cli, a service account) as recorded.
    const person = (id: string | null) => (id ? { id, name: names.get(id) ?? id, known: names.has(id) } : null);
    const events = result.events.map((e) => ({ ...e, actorPerson: person(e.actor), subjectPerson: person(e.subject) }));
    // A link by id (from a user's page) fills the username in.
    const byId = !q(ctx, 'user') && filter.subject ? ((await s.audit.accounts.names([filter.subject])).get(filter.subject) ?? filter.subject) : '';
    const shown = { user: q(ctx, 'user') || byId, type: q(ctx, 'type'), from: q(ctx, 'from'), to: q(ctx, 'to') };
    const exportQuery = new URLSearchParams(Object.entries({ subject: filter.subject ?? '', type: shown.type, from: shown.from, to: shown.to }).filter(([, v]) => v)).toString();
    page.render(ctx, 'admin/audit.njk', { total: result.total, events, filter: shown, unknownUser, exportQuery });
  });
  router.get('/audit/export', async (ctx) => {
    const { filter, unknownUser } = await auditFilter(ctx, s);
    const iterator = policy.auditExport(admin(ctx), unknownUser ? { ...filter, subject: '-' } : filter);
    ctx.type = 'application/x-ndjson';
    ctx.set('Content-Disposition', 'attachment; filename="audit.jsonl"');
    let body = '';
    for await (const line of iterator) body += line;
    ctx.body = body;
  });
}

/** The filter from the query: `user` (a username or e-mail address) or `subject` (an id), type, and dates. */
async function auditFilter(ctx: Context, s: Services): Promise<{ filter: AuditFilter; unknownUser: boolean }> {
  const date = (v: string, end = false) => {
    if (!v) return undefined;
    const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${end ? '23:59:59.999' : '00:00:00'}Z` : v);
    return Number.isNaN(t) ? undefined : t;
  };
  const user = q(ctx, 'user').trim();
  const subject = user ? await s.audit.accounts.idOf(user) : q(ctx, 'subject') || undefined;
  return {
    filter: { subject: subject ?? undefined, type: q(ctx, 'type') || undefined, from: date(q(ctx, 'from')), to: date(q(ctx, 'to'), true) },
    unknownUser: !!user && !subject,
  };
}
