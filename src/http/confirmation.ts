// Ask before a destructive action: a form posted without `confirm=yes` gets a page that says what will
// happen, with the same form (its fields kept) to send again with `confirm=yes`, and a way back.
import type { Context } from 'koa';
import { field, formStrings } from './form-body.js';
import type { PageResponder } from './page-responder.js';

export interface Confirmation {
  /** The question, as the page's heading: "Delete the user zoe?". */
  title: string;
  /** What will happen, in a sentence or two. */
  what: string;
  /** The button that does it: "Yes, delete zoe". */
  button: string;
  /** Where "No, go back" leads (the page the form was on). */
  cancel: string;
  /** The area's layout: admin/layout.njk or account/layout.njk. */
  layout: string;
  /** Set when `title`, `what` and `button` are catalogue keys (pages in the reader's language), filled with these parameters. */
  params?: Record<string, string>;
}

/** True when the form says it is confirmed; otherwise renders the confirmation page and returns false. */
export function confirmed(ctx: Context, page: PageResponder, confirmation: Confirmation): boolean {
  if (field(ctx, 'confirm') === 'yes') return true;
  const kept = Object.entries(formStrings(ctx)).filter(([name]) => name !== '_csrf' && name !== 'confirm');
  // The page speaks the reader's language, in the area's layout.
  const template = confirmation.layout.startsWith('admin/') ? 'admin/confirm.njk' : 'confirm.njk';
  page.render(ctx, template, { ...confirmation, action: ctx.path, fields: kept.map(([name, value]) => ({ name, value })) });
  return false;
}
