// A browser with a language, and a page read as a person reads it: what the language tests share.
import { fetchTransport, type Page, type Transport, UserAgent } from './user-agent.js';

/** A browser whose Accept-Language is `language`. */
export const browser = (language?: string) => {
  const transport: Transport = (url, request) => fetchTransport(url, { ...request, headers: { ...request.headers, ...(language ? { 'accept-language': language } : {}) } });
  return new UserAgent({}, transport);
};
export const langOf = (page: Page) => /<html lang="(\w+)">/.exec(page.html)?.[1];
/** The page's text as a person reads it (apostrophes unescaped). */
export const textOf = (page: Page) => page.html.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
/** The links of a page, as { href, text }. */
export const links = (page: Page) => [...textOf(page).matchAll(/<a [^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map(([, href, text]) => ({ href: href!, text: text! }));
