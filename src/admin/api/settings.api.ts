// Admin API: settings — read, change several at once (all valid or nothing stored), reset one.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input, noContent } from './api-input.js';
import { routeDocs } from './openapi-doc.js';
import { settingList, settingsPatch } from './openapi-schemas.js';

const doc = routeDocs('Settings');

// Keys and values are checked against the settings registry by the service.
const patch = z.record(z.string(), z.unknown());

export function settingsApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/settings', doc({ id: 'listSettings', summary: 'Every setting with its value and default', responses: { 200: settingList } }), (ctx) => {
    ctx.body = { settings: policy.settings(adminOf(ctx)) };
  });

  router.patch('/settings', doc({ id: 'updateSettings', summary: 'Change several settings at once: all valid, or nothing stored', body: settingsPatch, responses: { 200: settingList } }), async (ctx) => {
    ctx.body = { settings: await policy.updateSettings(adminOf(ctx), input(patch, ctx.request.body)) };
  });

  router.delete('/settings/:key', doc({ id: 'resetSetting', summary: 'Put a setting back to its default (from the configuration)', responses: { 204: null } }), async (ctx) => {
    await policy.resetSetting(adminOf(ctx), ctx.params.key!);
    noContent(ctx);
  });
}
