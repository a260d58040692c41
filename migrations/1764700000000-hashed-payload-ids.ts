// Tokens at rest: codes, tokens and sessions are now stored under a keyed hash of their value.
// Rows written before hold the raw value as their id and cannot be rehashed here: the key lives in the
// application's secret store, sealed, out of reach of SQL. So they are deleted rather than left as
// replayable copies: applications refresh or sign users in again, which these short lives expect.
import type { MigrationInterface, QueryRunner } from 'typeorm';

// The adapter's list as of this migration (a migration does not follow later edits of the code).
const HASHED = [
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
  'PreAuthorizedCode',
  'Session',
];

const DELETE_HASHED = `DELETE FROM oidc_payloads WHERE model IN (${HASHED.map((m) => `'${m}'`).join(', ')})`;

export class HashedPayloadIds1764700000000 implements MigrationInterface {
  name = 'HashedPayloadIds1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(DELETE_HASHED);
    // Sign-ins in progress carry a copy of their session's cookie value; their session is gone anyway.
    await q.query(`DELETE FROM oidc_payloads WHERE model = 'Interaction' AND payload LIKE '%"cookie":%'`);
  }

  /** The old adapter looks rows up by the raw value, which a hash cannot give back: the same rows go. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(DELETE_HASHED);
  }
}
