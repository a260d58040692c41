// The nunjucks environment for pages and message templates (autoescaped).
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { messageFor, type MessageCode } from '../errors/messages.js';
import { projectRoot } from '../support/project-root.js';

export function createViews(dir = join(projectRoot, 'views')): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), { autoescape: true });
  env.addFilter('message', (code: MessageCode, params?: Record<string, string | number>) => messageFor(code, params));
  env.addFilter('datetime', (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
  return env;
}
