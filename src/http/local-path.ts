// Return paths taken from a request: only a path on this server, under an area, after normalising
// (`/account/..//evil.example` is `//evil.example`, another site, and is refused).
const BASE = 'http://local.invalid';

/** The normalised path (with its query) when `value` stays under `prefix` on this server, else `fallback`. */
export function localPath(value: unknown, prefix: string, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || /[\\\u0000-\u001f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE || url.pathname.startsWith('//')) return fallback;
  const under = url.pathname === prefix || url.pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
  return under ? `${url.pathname}${url.search}` : fallback;
}
