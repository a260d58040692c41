// A registered resource server (an API): the audience its access tokens carry, the scopes it
// defines, the token format and lifetime. Its credentials (for introspection) are a client in
// oidc_clients named by `clientId`.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '../columns.js';

export type AccessTokenFormat = 'jwt' | 'opaque';

@Entity({ name: 'resource_servers' })
export class ResourceServerEntity {
  /** The resource indicator (RFC 8707) and the tokens' `aud`: an absolute URI. */
  @PrimaryColumn({ type: 'varchar', length: 500 }) identifier!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  /** Space-separated. */
  @Column({ type: 'text' }) scopes!: string;
  @Column({ type: 'varchar', length: 16, name: 'token_format' }) tokenFormat!: AccessTokenFormat;
  /** Seconds. */
  @Column({ type: 'integer', name: 'access_token_ttl' }) accessTokenTtl!: number;
  /** The JWS algorithm of JWT access tokens (a key of it is in the provider's JWKS). */
  @Column({ type: 'varchar', length: 16, name: 'signing_alg' }) signingAlg!: string;
  @Column({ type: 'varchar', length: 200, name: 'client_id' }) clientId!: string;
  @EpochColumn({ name: 'created_at' }) createdAt!: number;
  @EpochColumn({ name: 'updated_at' }) updatedAt!: number;
}
