// Registered relying parties, stored for oidc-provider to read through the adapter.
import type { DataSource, Repository } from 'typeorm';
import type { JsonObject } from '../persistence/columns.js';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import { AppError } from '../errors/app-error.js';
import { OidcClientEntity } from '../persistence/entities/oidc-client.entity.js';
import { OidcPayloadEntity } from '../persistence/entities/oidc-payload.entity.js';
import { randomToken } from '../security/random.js';
import type { SecretBox } from '../security/secret-box.js';
import { openClientMetadata, sealClientSecret } from './client-secret.js';
import { CONSOLE_CLIENT_ID } from '../console/console-client.js';
import type { Clock } from '../support/clock.js';
import { TtlCache } from '../support/ttl-cache.js';
import { type ClientPatch, clientPatchSchema, DEVICE_CODE_GRANT, type NewClient, newClientSchema } from './client.schema.js';

export interface ClientSummary {
  clientId: string;
  name: string;
  public: boolean;
  firstParty: boolean;
  serviceAccount: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
  grantTypes: string[];
  /** `none` for a public application. */
  authMethod: string;
  requirePar: boolean;
  requireDpop: boolean;
  idTokenSigningAlg: string;
  /** The resource server whose introspection credentials this client is. */
  resourceServer?: string;
}

/** Where a resource server's credentials point back to it (client metadata). */
export const RESOURCE_SERVER_MARKER = 'resource_server';

function parseOrThrow<T>(result: { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } }): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new AppError('client.invalid', { reason: `${issue.path.map(String).join('.')} ${issue.message}` });
}

/** oidc-provider reads a client several times per sign-in: a change made by another server process shows within this time. */
export const CLIENT_CACHE_MS = 5000;

export class ClientService {
  readonly #repo: Repository<OidcClientEntity>;
  readonly #issued: Repository<OidcPayloadEntity>;
  readonly #metadata = new TtlCache<JsonObject | undefined>(CLIENT_CACHE_MS, (m) => m !== undefined);
  /** Settles once the tokens answered so far are written (some are answered before: adapter.ts). */
  #issuedWritten: () => Promise<void> = async () => undefined;

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
  ) {
    this.#repo = ds.getRepository(OidcClientEntity);
    this.#issued = ds.getRepository(OidcPayloadEntity);
  }

  /**
   * Tells the service when the tokens the provider has answered are written, so that what it removes
   * of a client's tokens includes one answered just before (app.ts: the adapter's `settled`).
   */
  waitForIssued(written: () => Promise<void>): void {
    this.#issuedWritten = written;
  }

  /** Registers a client; a confidential client's generated secret is returned once. */
  async add(input: NewClient, ctx: AuditContext = {}): Promise<{ clientId: string; clientSecret?: string }> {
    const c = parseOrThrow(newClientSchema.safeParse(input));
    if (await this.#repo.existsBy({ clientId: c.clientId })) throw new AppError('client.exists');
    const authMethod = c.public ? 'none' : c.authMethod;
    const clientSecret = authMethod === 'client_secret_basic' ? randomToken(32) : undefined;
    const metadata: JsonObject = {
      client_name: c.name ?? c.clientId,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: c.grantTypes.map((g) => (g === 'device_code' ? DEVICE_CODE_GRANT : g)),
      response_types: c.grantTypes.includes('authorization_code') ? ['code'] : [],
      token_endpoint_auth_method: authMethod,
      first_party: c.firstParty,
      id_token_signed_response_alg: c.idTokenSigningAlg,
      require_pushed_authorization_requests: c.requirePar,
      dpop_bound_access_tokens: c.requireDpop,
      ...(c.jwks ? { jwks: c.jwks } : {}),
      ...(c.jwksUri ? { jwks_uri: c.jwksUri } : {}),
      ...(clientSecret ? { client_secret: sealClientSecret(this.box, c.clientId, clientSecret) } : {}),
      ...(c.backchannelLogoutUri ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    };
    const now = this.clock.now();
    await this.#repo.insert({ clientId: c.clientId, metadata, createdAt: now, updatedAt: now });
    await this.audit.record({ ...ctx, type: 'client.created', outcome: 'success', details: { clientId: c.clientId, public: c.public, grantTypes: c.grantTypes, authMethod } });
    return { clientId: c.clientId, clientSecret };
  }

  /**
   * Keeps a built-in client (the provider's own console) registered with the current issuer's
   * redirect URIs; a public client, so PKCE is required.
   */
  async ensureBuiltIn(clientId: string, name: string, redirectUris: string[], postLogoutRedirectUris: string[]): Promise<void> {
    const metadata: JsonObject = {
      client_name: name,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutRedirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      first_party: true,
    };
    const now = this.clock.now();
    const existing = await this.#repo.findOneBy({ clientId });
    // Servers starting together may both find it missing: the second insert is a no-op.
    if (!existing) await this.#repo.createQueryBuilder().insert().values({ clientId, metadata, createdAt: now, updatedAt: now }).orIgnore().execute();
    else if (JSON.stringify(existing.metadata) !== JSON.stringify(metadata)) await this.#repo.update({ clientId }, { metadata, updatedAt: now });
    this.#metadata.delete(clientId);
  }

  /** A service account for the admin API: client credentials only, acting with `role`. */
  async addServiceAccount(clientId: string, role: 'helpdesk' | 'admin' | 'superadmin', ctx: AuditContext = {}): Promise<{ clientId: string; clientSecret: string }> {
    if (!/^[A-Za-z0-9._:-]{3,200}$/.test(clientId)) throw new AppError('client.invalid', { reason: 'clientId must be 3–200 letters, digits, dots, dashes, colons or underscores' });
    if (!['helpdesk', 'admin', 'superadmin'].includes(role)) throw new AppError('client.invalid', { reason: 'role must be helpdesk, admin or superadmin' });
    if (await this.#repo.existsBy({ clientId })) throw new AppError('client.exists');
    const clientSecret = randomToken(32);
    const metadata: JsonObject = {
      client_name: clientId,
      client_secret: sealClientSecret(this.box, clientId, clientSecret),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'idp:admin',
      admin_role: role,
    };
    const now = this.clock.now();
    await this.#repo.insert({ clientId, metadata, createdAt: now, updatedAt: now });
    await this.audit.record({ ...ctx, type: 'client.created', outcome: 'success', details: { clientId, serviceAccount: true, role } });
    return { clientId, clientSecret };
  }

  /**
   * The credentials a resource server introspects tokens with (RFC 7662): a client that can ask
   * for no token at all, marked with the resource server it stands for. The secret is returned once.
   */
  async addResourceCredentials(clientId: string, identifier: string, ctx: AuditContext = {}): Promise<string> {
    if (await this.#repo.existsBy({ clientId })) throw new AppError('client.exists');
    const clientSecret = randomToken(32);
    const metadata: JsonObject = {
      client_name: clientId,
      client_secret: sealClientSecret(this.box, clientId, clientSecret),
      grant_types: [],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      [RESOURCE_SERVER_MARKER]: identifier,
    };
    const now = this.clock.now();
    await this.#repo.insert({ clientId, metadata, createdAt: now, updatedAt: now });
    await this.audit.record({ ...ctx, type: 'client.created', outcome: 'success', clientId, details: { clientId, resourceServer: identifier } });
    return clientSecret;
  }

  /** Removes a resource server's credentials (only ResourceServerService calls this). */
  async deleteResourceCredentials(clientId: string): Promise<void> {
    await this.#repo.delete({ clientId });
    this.#metadata.delete(clientId);
  }

  /**
   * A new secret for a confidential client, returned once; the old one stops working at once, and
   * so do the client-credentials tokens (admin API) obtained with it.
   */
  async rotateSecret(clientId: string, ctx: AuditContext = {}): Promise<string> {
    refuseBuiltIn(clientId);
    const row = await this.#get(clientId);
    if (row.metadata.token_endpoint_auth_method !== 'client_secret_basic') throw new AppError('client.public_no_secret');
    const clientSecret = randomToken(32);
    const metadata: JsonObject = { ...row.metadata, client_secret: sealClientSecret(this.box, clientId, clientSecret) };
    await this.#repo.update({ clientId }, { metadata, updatedAt: this.clock.now() });
    this.#metadata.delete(clientId);
    await this.#issuedWritten();
    const { affected } = await this.#issued.delete({ model: 'ClientCredentials', clientId });
    await this.audit.record({ ...ctx, type: 'client.secret_rotated', outcome: 'success', clientId, details: { revokedTokens: affected ?? 0 } });
    return clientSecret;
  }

  /** Changes the URIs, name or protocol requirements of an application (validated like a new client). */
  async update(clientId: string, input: ClientPatch, ctx: AuditContext = {}): Promise<void> {
    refuseBuiltIn(clientId);
    const row = await this.#get(clientId);
    if (row.metadata[RESOURCE_SERVER_MARKER]) throw new AppError('resource.credentials');
    const c = parseOrThrow(clientPatchSchema.safeParse(input));
    const serviceAccount = typeof row.metadata.admin_role === 'string';
    if (serviceAccount && (c.redirectUris || c.postLogoutRedirectUris || c.backchannelLogoutUri)) throw new AppError('client.invalid', { reason: 'service accounts have no URIs' });
    const grants = (row.metadata.grant_types as string[] | undefined) ?? [];
    if (c.redirectUris && !grants.includes('authorization_code')) throw new AppError('client.invalid', { reason: 'redirectUris only for applications that sign users in with authorization_code' });
    const metadata: JsonObject = {
      ...row.metadata,
      ...(c.name !== undefined ? { client_name: c.name } : {}),
      ...(c.redirectUris !== undefined ? { redirect_uris: c.redirectUris } : {}),
      ...(c.postLogoutRedirectUris !== undefined ? { post_logout_redirect_uris: c.postLogoutRedirectUris } : {}),
      ...(c.backchannelLogoutUri !== undefined ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
      ...(c.requirePar !== undefined ? { require_pushed_authorization_requests: c.requirePar } : {}),
      ...(c.requireDpop !== undefined ? { dpop_bound_access_tokens: c.requireDpop } : {}),
      ...(c.idTokenSigningAlg !== undefined ? { id_token_signed_response_alg: c.idTokenSigningAlg } : {}),
    };
    await this.#repo.update({ clientId }, { metadata, updatedAt: this.clock.now() });
    this.#metadata.delete(clientId);
    await this.audit.record({ ...ctx, type: 'client.updated', outcome: 'success', clientId, details: { fields: Object.keys(input) } });
  }

  async delete(clientId: string, ctx: AuditContext = {}): Promise<void> {
    refuseBuiltIn(clientId);
    const row = await this.#get(clientId);
    if (row.metadata[RESOURCE_SERVER_MARKER]) throw new AppError('resource.credentials');
    await this.#repo.delete({ clientId });
    this.#metadata.delete(clientId);
    // Its grants, codes and tokens go with it.
    await this.#issuedWritten();
    await this.#issued.delete({ clientId });
    await this.audit.record({ ...ctx, type: 'client.deleted', outcome: 'success', clientId });
  }

  async #get(clientId: string): Promise<OidcClientEntity> {
    const row = await this.#repo.findOneBy({ clientId });
    if (!row) throw new AppError('client.not_found');
    return row;
  }

  /** The metadata oidc-provider reads (secret opened, `client_id` set); undefined for an unknown id. */
  metadataFor(clientId: string): Promise<JsonObject | undefined> {
    return this.#metadata.get(clientId, async () => {
      const row = await this.#repo.findOneBy({ clientId });
      return row ? { ...openClientMetadata(this.box, row.clientId, row.metadata), client_id: row.clientId } : undefined;
    });
  }

  async exists(clientId: string): Promise<boolean> {
    return this.#repo.existsBy({ clientId });
  }

  /** The admin role a service account acts with; null for an application or an unknown id. */
  async serviceAccountRole(clientId: string): Promise<'helpdesk' | 'admin' | 'superadmin' | null> {
    const row = await this.#repo.findOneBy({ clientId });
    const role = row?.metadata.admin_role;
    return role === 'helpdesk' || role === 'admin' || role === 'superadmin' ? role : null;
  }

  async list(): Promise<ClientSummary[]> {
    const rows = await this.#repo.find({ order: { clientId: 'ASC' } });
    return rows.map((r) => ({
      clientId: r.clientId,
      name: String(r.metadata.client_name ?? r.clientId),
      public: r.metadata.token_endpoint_auth_method === 'none',
      firstParty: r.metadata.first_party === true,
      serviceAccount: Array.isArray(r.metadata.grant_types) && r.metadata.grant_types.includes('client_credentials'),
      redirectUris: (r.metadata.redirect_uris as string[]) ?? [],
      postLogoutRedirectUris: (r.metadata.post_logout_redirect_uris as string[]) ?? [],
      backchannelLogoutUri: r.metadata.backchannel_logout_uri as string | undefined,
      grantTypes: ((r.metadata.grant_types as string[] | undefined) ?? []).map((g) => (g === DEVICE_CODE_GRANT ? 'device_code' : g)),
      authMethod: String(r.metadata.token_endpoint_auth_method ?? 'client_secret_basic'),
      requirePar: r.metadata.require_pushed_authorization_requests === true,
      requireDpop: r.metadata.dpop_bound_access_tokens === true,
      idTokenSigningAlg: String(r.metadata.id_token_signed_response_alg ?? 'RS256'),
      ...(typeof r.metadata[RESOURCE_SERVER_MARKER] === 'string' ? { resourceServer: r.metadata[RESOURCE_SERVER_MARKER] as string } : {}),
    }));
  }
}

/**
 * The console's own application (My Profile and the admin console sign in with it) is kept by the
 * server at start: deleting or changing it, from any surface, would lock everyone out of both until a restart.
 */
function refuseBuiltIn(clientId: string): void {
  if (clientId === CONSOLE_CLIENT_ID) throw new AppError('client.built_in');
}
