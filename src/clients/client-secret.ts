// Client secrets are sealed at rest (AES-256-GCM, bound to the client id): a copy of the database
// alone does not let anyone act as an application or as an admin API service account.
import type { JsonObject } from '../persistence/columns.js';
import type { SecretBox } from '../security/secret-box.js';

const context = (clientId: string) => `client-secret:${clientId}`;

export function sealClientSecret(box: SecretBox, clientId: string, secret: string): string {
  return box.seal(secret, context(clientId));
}

/** The metadata oidc-provider needs, with the secret opened (rows written before sealing pass as they are). */
export function openClientMetadata(box: SecretBox, clientId: string, metadata: JsonObject): JsonObject {
  const secret = metadata.client_secret;
  if (typeof secret !== 'string' || !secret.startsWith('v1.')) return metadata;
  return { ...metadata, client_secret: box.openText(secret, context(clientId)) };
}
