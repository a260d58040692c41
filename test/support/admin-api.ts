// The admin API from a script's side: a service account of a given role gets a client-credentials
// token with the admin scope from the provider, then calls /admin/api with JSON.
import type { TestServer } from './test-server.js';

export type StaffRole = 'helpdesk' | 'admin' | 'superadmin';

/** The body of every refusal by role. */
export const FORBIDDEN = { error: 'admin.forbidden', message: 'You do not have permission to do that.' };

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface AdminApi {
  clientId: string;
  role: StaffRole;
  request<T = any>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
}

export async function adminToken(server: TestServer, clientId: string, clientSecret: string): Promise<string> {
  const res = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'idp:admin' }),
  });
  const json = (await res.json()) as { access_token?: string };
  if (!res.ok || !json.access_token) throw new Error(`no admin token for ${clientId}: ${res.status} ${JSON.stringify(json)}`);
  return json.access_token;
}

export async function callAdminApi<T = any>(server: TestServer, token: string | null, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  const res = await fetch(`${server.url}/admin/api${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      accept: 'application/json',
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (/json/.test(res.headers.get('content-type') ?? '') && text && !/ndjson/.test(res.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/** Registers a service account with `role` and returns a caller holding its token. */
export async function serviceAccount(server: TestServer, clientId: string, role: StaffRole): Promise<AdminApi> {
  const { clientSecret } = await server.app.services.clients.addServiceAccount(clientId, role);
  const token = await adminToken(server, clientId, clientSecret);
  return { clientId, role, request: (method, path, body) => callAdminApi(server, token, method, path, body) };
}

/** One caller per staff role, as `client:<prefix>-<role>`. */
export async function staffAccounts(server: TestServer, prefix = 'api'): Promise<Record<StaffRole, AdminApi>> {
  return {
    helpdesk: await serviceAccount(server, `${prefix}-helpdesk`, 'helpdesk'),
    admin: await serviceAccount(server, `${prefix}-admin`, 'admin'),
    superadmin: await serviceAccount(server, `${prefix}-superadmin`, 'superadmin'),
  };
}

export const staffRoles: StaffRole[] = ['helpdesk', 'admin', 'superadmin'];
