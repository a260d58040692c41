// A tiny browser for HTTP flow tests: a cookie jar, manual redirects, and form helpers.
export interface Page {
  url: string;
  status: number;
  html: string;
  location?: string;
}

/** One HTTP exchange without following redirects. */
export type Transport = (
  url: string,
  request: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; setCookie: string[]; location?: string; body: string }>;

export const fetchTransport: Transport = async (url, { method, headers, body }) => {
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  return { status: res.status, setCookie: res.headers.getSetCookie(), location: res.headers.get('location') ?? undefined, body: await res.text() };
};

export class UserAgent {
  readonly #jar = new Map<string, Map<string, string>>();

  /** `sameJar` maps a host to another whose cookies it shares (two servers behind one name). */
  constructor(
    private readonly sameJar: Record<string, string> = {},
    private readonly transport: Transport = fetchTransport,
  ) {}

  async get(url: string): Promise<Page> {
    return this.#request(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Page> {
    return this.#request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects from `page` until `stop(url)` is true or a page renders. */
  async follow(page: Page, stop: (url: string) => boolean = () => false): Promise<Page> {
    let current = page;
    for (let i = 0; i < 20 && current.location; i++) {
      const next = new URL(current.location, current.url).href;
      if (stop(next)) return { url: next, status: 0, html: '' };
      current = await this.get(next);
    }
    return current;
  }

  /** Submits the form whose action ends with `actionSuffix`, filling `fields` and its hidden inputs. */
  async submit(page: Page, actionSuffix: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = findForm(page.html, actionSuffix, fields.action);
    const action = new URL(form.action, page.url).href;
    return this.post(action, { ...form.hidden, ...fields });
  }

  async #request(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<Page> {
    const u = new URL(url);
    const host = this.sameJar[u.host] ?? u.host;
    const cookies = [...(this.#jar.get(host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { ...init.headers, ...(cookies ? { cookie: cookies } : {}), accept: 'text/html' };
    const res = await this.transport(url, { method: init.method, headers, body: init.body });
    for (const line of res.setCookie) this.#store(host, line);
    return { url, status: res.status, html: res.body, location: res.location };
  }

  #store(host: string, line: string): void {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const jar = this.#jar.get(host) ?? new Map<string, string>();
    const expired = /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0/i.test(line) || value === '';
    if (expired) jar.delete(name);
    else jar.set(name, value);
    this.#jar.set(host, jar);
  }
}

export function findForm(html: string, actionSuffix: string, actionValue?: string): { action: string; hidden: Record<string, string> } {
  const forms = [...html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  for (const [, action, body] of forms) {
    if (!action!.endsWith(actionSuffix)) continue;
    const hidden: Record<string, string> = {};
    for (const [, name, value] of body!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) hidden[name!] = decode(value!);
    if (actionValue && hidden.action && hidden.action !== actionValue) continue;
    return { action: decode(action!), hidden };
  }
  throw new Error(`no form with action ending ${actionSuffix}${actionValue ? ` (${actionValue})` : ''} in:\n${html.slice(0, 2000)}`);
}

function decode(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
