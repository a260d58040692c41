// What a valid resource server (API) looks like, for the console, the admin API and the CLI.
import { z } from 'zod';

/** Scopes the provider itself defines: an API's scope must not be mistaken for one of them. */
const RESERVED_SCOPES = new Set(['openid', 'offline_access', 'email', 'profile', 'phone', 'address', 'idp:admin']);

const scope = z
  .string()
  .regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, 'scopes are 1–100 printable characters without spaces, quotes or backslashes')
  .refine((s) => !RESERVED_SCOPES.has(s), 'this scope is the identity provider\'s own');

export const newResourceServerSchema = z.object({
  /** The resource indicator applications send (RFC 8707) and the `aud` of its tokens. */
  identifier: z
    .url()
    .max(500)
    .refine((u) => URL.canParse(u) && !new URL(u).hash && /^https?:$/.test(new URL(u).protocol), 'must be an http(s) URI without a fragment'),
  name: z.string().trim().min(1).max(200),
  scopes: z.array(scope).min(1).max(100),
  tokenFormat: z.enum(['jwt', 'opaque']).default('jwt'),
  /** Seconds: a minute to a day. */
  accessTokenTtl: z.number().int().min(60).max(86_400).default(3600),
  signingAlg: z.enum(['RS256', 'ES256']).default('RS256'),
  /** The client id of its introspection credentials (default: derived from the name). */
  clientId: z.string().trim().regex(/^[A-Za-z0-9._:-]{3,200}$/, 'use 3–200 letters, digits, dots, dashes, colons or underscores').optional(),
});

export type NewResourceServer = z.input<typeof newResourceServerSchema>;

export const resourceServerPatchSchema = newResourceServerSchema.pick({ name: true, scopes: true, tokenFormat: true, accessTokenTtl: true, signingAlg: true }).partial();

export type ResourceServerPatch = z.input<typeof resourceServerPatchSchema>;
