// Admin API: the audit log — filtered pages, and the whole filtered log as JSON lines.
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import { z } from 'zod';
import type { AuditFilter } from '../../audit/audit.service.js';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { auditLine, auditPage } from './openapi-schemas.js';

const doc = routeDocs('Audit');

/** Epoch milliseconds, or an ISO 8601 date or date-time; a bare date `to` means the end of that day. */
const instant = (endOfDay: boolean) =>
  z.string().transform((v, ctx) => {
    const t = /^\d{1,15}$/.test(v) ? Number(v) : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : v);
    if (Number.isNaN(t)) {
      ctx.addIssue({ code: 'custom', message: 'use an ISO 8601 date or epoch milliseconds' });
      return z.NEVER;
    }
    return t;
  });

const filterQuery = z.object({
  subject: z.string().min(1).max(200).optional().describe('A user id'),
  type: z.string().min(1).max(100).optional().describe('An event type, e.g. login.success'),
  from: instant(false).optional().describe('From this time: ISO 8601 date or date-time, or epoch milliseconds'),
  to: instant(true).optional().describe('Up to this time (a bare date: to the end of that day)'),
});
const pageQuery = filterQuery.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export function auditApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/audit', doc({ id: 'listAuditEvents', summary: 'A page of the audit log, newest first', query: pageQuery, responses: { 200: auditPage } }), async (ctx) => {
    const filter: AuditFilter = input(pageQuery, ctx.query);
    ctx.body = await policy.audit(adminOf(ctx), filter);
  });

  // Streamed page by page, so a large log never sits in memory.
  const jsonLines = { description: 'One event per line, oldest first', contentType: 'application/x-ndjson', schema: auditLine };
  router.get('/audit/export', doc({ id: 'exportAuditEvents', summary: 'The whole filtered audit log as JSON lines', query: filterQuery, responses: { 200: jsonLines } }), (ctx) => {
    const lines = policy.auditExport(adminOf(ctx), input(filterQuery, ctx.query));
    ctx.type = 'application/x-ndjson';
    ctx.set('Content-Disposition', 'attachment; filename="audit.jsonl"');
    ctx.body = Readable.from(lines);
  });
}
