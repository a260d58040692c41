// Registered resource servers (APIs): the one owner of the resource_servers table. Applications
// name one with a resource indicator (RFC 8707) and receive an access token for it alone: a JWT
// (RFC 9068) it verifies from the JWKS without calling us, or an opaque token it introspects
// (RFC 7662) with its own credentials (a client marked as this resource server, see ClientService).
import { randomBytes } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import type { AuditContext, AuditService } from '../audit/audit.service.js';
import type { ClientService } from '../clients/client.service.js';
import { AppError } from '../errors/app-error.js';
import { type AccessTokenFormat, ResourceServerEntity } from '../persistence/entities/resource-server.entity.js';
import type { Clock } from '../support/clock.js';
import { TtlCache } from '../support/ttl-cache.js';
import { type NewResourceServer, newResourceServerSchema, type ResourceServerPatch, resourceServerPatchSchema } from './resource-server.schema.js';

export interface ResourceServer {
  identifier: string;
  name: string;
  scopes: string[];
  tokenFormat: AccessTokenFormat;
  accessTokenTtl: number;
  signingAlg: string;
  clientId: string;
}

/** The token endpoint reads a resource server on every grant that names one: a change made by another process shows within this time. */
export const RESOURCE_SERVER_CACHE_MS = 5000;

function parsed<T>(result: { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } }): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new AppError('resource.invalid', { reason: `${issue.path.map(String).join('.')} ${issue.message}` });
}

const view = (r: ResourceServerEntity): ResourceServer => ({
  identifier: r.identifier,
  name: r.name,
  scopes: r.scopes.split(' ').filter(Boolean),
  tokenFormat: r.tokenFormat,
  accessTokenTtl: r.accessTokenTtl,
  signingAlg: r.signingAlg,
  clientId: r.clientId,
});

export class ResourceServerService {
  readonly #repo: Repository<ResourceServerEntity>;
  readonly #cache = new TtlCache<ResourceServer | undefined>(RESOURCE_SERVER_CACHE_MS, (r) => r !== undefined);

  constructor(
    ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly clients: ClientService,
  ) {
    this.#repo = ds.getRepository(ResourceServerEntity);
  }

  /** Registers a resource server and its introspection credentials; the secret is returned once. */
  async add(input: NewResourceServer, ctx: AuditContext = {}): Promise<ResourceServer & { clientSecret: string }> {
    const r = parsed(newResourceServerSchema.safeParse(input));
    if (await this.#repo.existsBy({ identifier: r.identifier })) throw new AppError('resource.exists');
    const clientId = r.clientId ?? `rs-${r.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'api'}-${randomBytes(3).toString('hex')}`;
    const clientSecret = await this.clients.addResourceCredentials(clientId, r.identifier, ctx);
    const now = this.clock.now();
    const row: ResourceServerEntity = { ...r, scopes: [...new Set(r.scopes)].join(' '), clientId, createdAt: now, updatedAt: now };
    try {
      await this.#repo.insert(row);
    } catch (err) {
      await this.clients.deleteResourceCredentials(clientId);
      throw err;
    }
    this.#cache.delete(r.identifier);
    await this.audit.record({ ...ctx, type: 'resource_server.created', outcome: 'success', clientId, details: { identifier: r.identifier, tokenFormat: r.tokenFormat } });
    return { ...view(row), clientSecret };
  }

  async update(identifier: string, input: ResourceServerPatch, ctx: AuditContext = {}): Promise<ResourceServer> {
    const row = await this.#get(identifier);
    const p = parsed(resourceServerPatchSchema.safeParse(input));
    const next: ResourceServerEntity = {
      ...row,
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.scopes !== undefined ? { scopes: [...new Set(p.scopes)].join(' ') } : {}),
      ...(p.tokenFormat !== undefined ? { tokenFormat: p.tokenFormat } : {}),
      ...(p.accessTokenTtl !== undefined ? { accessTokenTtl: p.accessTokenTtl } : {}),
      ...(p.signingAlg !== undefined ? { signingAlg: p.signingAlg } : {}),
      updatedAt: this.clock.now(),
    };
    await this.#repo.update({ identifier }, next);
    this.#cache.delete(identifier);
    await this.audit.record({ ...ctx, type: 'resource_server.updated', outcome: 'success', clientId: row.clientId, details: { identifier, fields: Object.keys(p) } });
    return view(next);
  }

  /** Removes the resource server and its credentials; tokens already issued for it run out. */
  async delete(identifier: string, ctx: AuditContext = {}): Promise<void> {
    const row = await this.#get(identifier);
    await this.#repo.delete({ identifier });
    await this.clients.deleteResourceCredentials(row.clientId);
    this.#cache.delete(identifier);
    await this.audit.record({ ...ctx, type: 'resource_server.deleted', outcome: 'success', clientId: row.clientId, details: { identifier } });
  }

  async list(): Promise<ResourceServer[]> {
    return (await this.#repo.find({ order: { identifier: 'ASC' } })).map(view);
  }

  async get(identifier: string): Promise<ResourceServer> {
    return view(await this.#get(identifier));
  }

  /** For the token endpoint (cached): undefined for an identifier nobody registered. */
  find(identifier: string): Promise<ResourceServer | undefined> {
    return this.#cache.get(identifier, async () => {
      const row = await this.#repo.findOneBy({ identifier });
      return row ? view(row) : undefined;
    });
  }

  async #get(identifier: string): Promise<ResourceServerEntity> {
    const row = await this.#repo.findOneBy({ identifier });
    if (!row) throw new AppError('resource.not_found');
    return row;
  }
}
