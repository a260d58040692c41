// One HTTP exchange over node:http(s) (kept-alive agents, a chosen host), answered as a Fetch API
// Response: what openid-client's customFetch expects. Cheaper than fetch, and free to set `host`.
import type http from 'node:http';
import type https from 'node:https';

const NO_BODY = new Set([101, 204, 205, 304]);

export function exchange(client: typeof http | typeof https, options: http.RequestOptions, body?: string): Promise<Response> {
  const headers = body === undefined ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise<Response>((resolve, reject) => {
    const req = client.request({ ...options, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) answer.append(name, v);
        const status = res.statusCode ?? 502;
        resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: answer }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A request body as openid-client hands it over (form parameters or text), or undefined. */
export function bodyText(body: unknown): string | undefined {
  return body === undefined || body === null ? undefined : String(body);
}
