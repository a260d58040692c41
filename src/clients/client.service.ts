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
import type { Clock } from '../support/clock.js';
import { TtlCache } from '../support/ttl-cache.js';
import { type NewClient, newClientSchema } from './client.schema.js';

export interface ClientSummary {
  clientId: string;
  name: string;
  public: boolean;
  firstParty: boolean;
  serviceAccount: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
}

/** oidc-provider reads a client several times per sign-in: a change made by another server process shows within this time. */
export const CLIENT_CACHE_MS = 5000;

export class ClientService {
  readonly #repo: Repository<OidcClientEntity>;
  readonly #issued: Repository<OidcPayloadEntity>;
  readonly #metadata = new TtlCache<JsonObject | undefined>(CLIENT_CACHE_MS, (m) => m !== undefined);

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
  ) {
    this.#repo = ds.getRepository(OidcClientEntity);
    this.#issued = ds.getRepository(OidcPayloadEntity);
  }

  /** Registers a client; a confidential client's generated secret is returned once. */
  async add(input: NewClient, ctx: AuditContext = {}): Promise<{ clientId: string; clientSecret?: string }> {
    const parsed = newClientSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('client.invalid', { reason: `${issue.path.join('.')} ${issue.message}` });
    }
    const c = parsed.data;
    if (await this.#repo.existsBy({ clientId: c.clientId })) throw new AppError('client.exists');
    const clientSecret = c.public ? undefined : randomToken(32);
    const metadata: JsonObject = {
      client_name: c.name ?? c.clientId,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: c.public ? 'none' : 'client_secret_basic',
      first_party: c.firstParty,
      ...(clientSecret ? { client_secret: sealClientSecret(this.box, c.clientId, clientSecret) } : {}),
      ...(c.backchannelLogoutUri ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    };
    const now = this.clock.now();
    await this.#repo.insert({ clientId: c.clientId, metadata, createdAt: now, updatedAt: now });
    await this.audit.record({ ...ctx, type: 'client.created', outcome: 'success', details: { clientId: c.clientId, public: c.public } });
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
   * A new secret for a confidential client, returned once; the old one stops working at once, and
   * so do the client-credentials tokens (admin API) obtained with it.
   */
  async rotateSecret(clientId: string, ctx: AuditContext = {}): Promise<string> {
    const row = await this.#get(clientId);
    if (row.metadata.token_endpoint_auth_method === 'none') throw new AppError('client.public_no_secret');
    const clientSecret = randomToken(32);
    const metadata: JsonObject = { ...row.metadata, client_secret: sealClientSecret(this.box, clientId, clientSecret) };
    await this.#repo.update({ clientId }, { metadata, updatedAt: this.clock.now() });
    this.#metadata.delete(clientId);
    const { affected } = await this.#issued.delete({ model: 'ClientCredentials', clientId });
    await this.audit.record({ ...ctx, type: 'client.secret_rotated', outcome: 'success', clientId, details: { revokedTokens: affected ?? 0 } });
    return clientSecret;
  }

  /** Changes the URIs or name of an application (validated like a new client). */
  async update(clientId: string, input: Partial<Pick<NewClient, 'name' | 'redirectUris' | 'postLogoutRedirectUris' | 'backchannelLogoutUri'>>, ctx: AuditContext = {}): Promise<void> {
    const row = await this.#get(clientId);
    if (row.metadata.grant_types?.includes('client_credentials')) throw new AppError('client.invalid', { reason: 'service accounts have no URIs' });
    const parsed = newClientSchema.partial().safeParse({ ...input, clientId });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('client.invalid', { reason: `${issue.path.join('.')} ${issue.message}` });
    }
    const c = parsed.data;
    const metadata: JsonObject = {
      ...row.metadata,
      ...(c.name !== undefined ? { client_name: c.name } : {}),
      ...(c.redirectUris !== undefined ? { redirect_uris: c.redirectUris } : {}),
      ...(c.postLogoutRedirectUris !== undefined ? { post_logout_redirect_uris: c.postLogoutRedirectUris } : {}),
      ...(c.backchannelLogoutUri !== undefined ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    };
    await this.#repo.update({ clientId }, { metadata, updatedAt: this.clock.now() });
    this.#metadata.delete(clientId);
    await this.audit.record({ ...ctx, type: 'client.updated', outcome: 'success', clientId, details: { fields: Object.keys(input) } });
  }

  async delete(clientId: string, ctx: AuditContext = {}): Promise<void> {
    await this.#get(clientId);
    await this.#repo.delete({ clientId });
    this.#metadata.delete(clientId);
    // Its grants, codes and tokens go with it.
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
    }));
  }
}
