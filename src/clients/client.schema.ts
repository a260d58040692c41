// What a valid new OIDC client looks like (validated again by oidc-provider when it is used).
import { z } from 'zod';

const uri = z.url().refine((u) => {
  // zod runs the refinement even when the value already failed z.url().
  if (!URL.canParse(u)) return false;
  const url = new URL(u);
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.hash;
}, 'must be an http(s) URL without a fragment');

export const newClientSchema = z.object({
  clientId: z.string().trim().regex(/^[A-Za-z0-9._:-]{3,200}$/, 'use 3–200 letters, digits, dots, dashes, colons or underscores'),
  name: z.string().trim().max(200).optional(),
  redirectUris: z.array(uri).min(1, 'at least one redirect URI is needed'),
  postLogoutRedirectUris: z.array(uri).default([]),
  backchannelLogoutUri: uri.optional(),
  public: z.boolean().default(false),
  firstParty: z.boolean().default(true),
});

export type NewClient = z.input<typeof newClientSchema>;
