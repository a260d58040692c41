// A UserAgent whose cookies can be read back (to send the same browser's requests with fetch) and
// whose last response's headers are kept (Retry-After, say).
import type { Browser } from './fuzz-inputs.js';
import { type Page, UserAgent } from './user-agent.js';

export interface RecordingAgent {
  agent: UserAgent;
  /** The cookie header the last request was sent with. */
  cookie(): string;
  /** The headers of the last response. */
  headers(): Headers;
  /** Loads `url` again and returns the cookies it was sent with, its CSRF token and the page. */
  browser(url: string): Promise<Browser & { page: Page }>;
}

export function recordingAgent(): RecordingAgent {
  let cookie = '';
  let headers = new Headers();
  const agent = new UserAgent({}, async (url, request) => {
    cookie = request.headers.cookie ?? '';
    const res = await fetch(url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
    headers = res.headers;
    return { status: res.status, setCookie: res.headers.getSetCookie(), location: res.headers.get('location') ?? undefined, body: await res.text() };
  });
  return {
    agent,
    cookie: () => cookie,
    headers: () => headers,
    async browser(url) {
      const page = await agent.get(url);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
      if (page.status !== 200 || !csrf) throw new Error(`no form at ${url} (${page.status}):\n${page.html.slice(0, 1500)}`);
      return { cookie, csrf, page };
    },
  };
}

