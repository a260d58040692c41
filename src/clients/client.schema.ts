// What a valid new OIDC client looks like (validated again by oidc-provider when it is used).
import { z } from 'zod';

const uri = z.url().refine((u) => {
  // zod runs the refinement even when the value already failed z.url().
  if (!URL.canParse(u)) return false;
  const url = new URL(u);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash;
}, 'must be an http(s) URL without a fragment');

/** The grants an application may be registered for (`device_code`: RFC 8628, for CLIs and TVs). */
export const CLIENT_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'device_code'] as const;
export type ClientGrant = (typeof CLIENT_GRANTS)[number];
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * How a confidential application proves itself at the token endpoint: a generated secret (HTTP
 * Basic), or a JWT signed with its own private key (RFC 7523) checked against its registered keys.
 */
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'private_key_jwt'] as const;
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;

/** A public JWK (no private members), as registered for private_key_jwt. */
const publicJwk = z
  .object({ kty: z.enum(['RSA', 'EC', 'OKP']), kid: z.string().max(200).optional() })
  .catchall(z.unknown())
  .refine((k) => !['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in k), 'must hold public keys only');

/** The fields of a new client, before the rules across fields (`newClientSchema`). */
export const clientFields = z.object({
  clientId: z.string().trim().regex(/^[A-Za-z0-9._:-]{3,200}$/, 'use 3–200 letters, digits, dots, dashes, colons or underscores'),
  name: z.string().trim().max(200).optional(),
  redirectUris: z.array(uri).default([]),
  postLogoutRedirectUris: z.array(uri).default([]),
  backchannelLogoutUri: uri.optional(),
  public: z.boolean().default(false),
  firstParty: z.boolean().default(true),
  grantTypes: z.array(z.enum(CLIENT_GRANTS)).min(1).max(4).default(['authorization_code', 'refresh_token']),
  authMethod: z.enum(CLIENT_AUTH_METHODS).default('client_secret_basic'),
  jwks: z.object({ keys: z.array(publicJwk).min(1).max(20) }).strict().optional(),
  jwksUri: uri.optional(),
  /** RFC 9126: authorization requests only through the pushed authorization request endpoint. */
  requirePar: z.boolean().default(false),
  /** RFC 9449: access tokens only bound to a DPoP key. */
  requireDpop: z.boolean().default(false),
  idTokenSigningAlg: z.enum(ID_TOKEN_ALGS).default('RS256'),
});

/** The rules across fields; for the API's strict schema as well. */
export function clientRules(c: z.output<typeof clientFields>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.grantTypes.includes('authorization_code') && !c.redirectUris.length) issue('redirectUris', 'at least one redirect URI is needed');
  if (c.grantTypes.includes('refresh_token') && !c.grantTypes.some((g) => g === 'authorization_code' || g === 'device_code')) {
    issue('grantTypes', 'refresh_token goes with authorization_code or device_code');
  }
  if (c.public && c.grantTypes.includes('client_credentials')) issue('grantTypes', 'a public application cannot use client_credentials');
  if (c.public && c.authMethod === 'private_key_jwt') issue('authMethod', 'a public application has no credentials');
  if (c.authMethod === 'private_key_jwt' && !c.jwks === !c.jwksUri) issue('jwks', 'private_key_jwt needs either jwks or jwksUri');
  if (c.authMethod !== 'private_key_jwt' && (c.jwks || c.jwksUri)) issue('jwks', 'keys are registered for private_key_jwt only');
}

export const newClientSchema = clientFields.superRefine(clientRules);

export type NewClient = z.input<typeof newClientSchema>;

/** What an administrator may change on an application. */
export const clientPatchSchema = z.object({
  name: z.string().trim().max(200).optional(),
  redirectUris: z.array(uri).min(1, 'at least one redirect URI is needed').optional(),
  postLogoutRedirectUris: z.array(uri).optional(),
  backchannelLogoutUri: uri.optional(),
  requirePar: z.boolean().optional(),
  requireDpop: z.boolean().optional(),
  idTokenSigningAlg: z.enum(ID_TOKEN_ALGS).optional(),
});

export type ClientPatch = z.input<typeof clientPatchSchema>;
