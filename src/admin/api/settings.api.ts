// Admin API: settings — read, change several at once (all valid or nothing stored), reset one.
import type Router from '@koa/router';
import { z } from 'zod';
import type { Services } from '../../services.js';
import { PolicyActions } from '../actions/policy.actions.js';
import { adminOf, input, noContent } from './api-input.js';

// Keys and values are checked against the settings registry by the service.
const patch = z.record(z.string(), z.unknown());

export function settingsApi(router: Router, s: Services): void {
  const policy = new PolicyActions(s);

  router.get('/settings', (ctx) => {
    ctx.body = { settings: policy.settings(adminOf(ctx)) };
  });

  router.patch('/settings', async (ctx) => {
    ctx.body = { settings: await policy.updateSettings(adminOf(ctx), input(patch, ctx.request.body)) };
  });

  router.delete('/settings/:key', async (ctx) => {
    await policy.resetSetting(adminOf(ctx), ctx.params.key!);
    noContent(ctx);
  });
}
