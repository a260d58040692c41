// The first schema: users, credentials, PINs, lockout counters, audit, keys, secrets, clients, oidc payloads.
// Plain SQL that SQLite and PostgreSQL both accept, so one migration serves both.
import type { MigrationInterface, QueryRunner } from 'typeorm';

const tables: Record<string, string> = {
  users: `id varchar(36) PRIMARY KEY,
    username varchar(100) NOT NULL UNIQUE,
    email varchar(254) NOT NULL UNIQUE,
    email_verified boolean NOT NULL DEFAULT false,
    mobile varchar(32),
    name varchar(200) NOT NULL DEFAULT '',
    role varchar(20) NOT NULL DEFAULT 'user',
    status varchar(20) NOT NULL DEFAULT 'active',
    failed_logins integer NOT NULL DEFAULT 0,
    locked_at bigint,
    locked_until bigint,
    last_login_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL`,
  credentials: `id varchar(36) PRIMARY KEY,
    user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type varchar(20) NOT NULL,
    secret text NOT NULL,
    created_at bigint NOT NULL`,
  one_time_pins: `id varchar(36) PRIMARY KEY,
    user_id varchar(36) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose varchar(200) NOT NULL,
    channel varchar(10) NOT NULL,
    destination varchar(254) NOT NULL,
    code_hash varchar(128) NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    expires_at bigint NOT NULL,
    consumed_at bigint,
    created_at bigint NOT NULL`,
  rate_limits: `key varchar(200) PRIMARY KEY,
    window_start bigint NOT NULL,
    count integer NOT NULL DEFAULT 0`,
  audit_events: `id varchar(36) PRIMARY KEY,
    at bigint NOT NULL,
    type varchar(80) NOT NULL,
    outcome varchar(20) NOT NULL,
    actor varchar(200),
    subject varchar(36),
    client_id varchar(200),
    ip varchar(64),
    details text NOT NULL`,
  signing_keys: `kid varchar(64) PRIMARY KEY,
    alg varchar(16) NOT NULL,
    jwk text NOT NULL,
    status varchar(16) NOT NULL,
    created_at bigint NOT NULL,
    retired_at bigint`,
  secrets: `name varchar(64) PRIMARY KEY,
    value text NOT NULL,
    created_at bigint NOT NULL`,
  oidc_clients: `client_id varchar(200) PRIMARY KEY,
    metadata text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL`,
  oidc_payloads: `model varchar(40) NOT NULL,
    id varchar(200) NOT NULL,
    payload text NOT NULL,
    grant_id varchar(200),
    user_code varchar(200),
    uid varchar(200),
    expires_at bigint,
    consumed_at bigint,
    PRIMARY KEY (model, id)`,
};

const indexes = [
  'CREATE INDEX idx_credentials_user ON credentials (user_id, type)',
  'CREATE INDEX idx_pins_purpose ON one_time_pins (user_id, purpose)',
  'CREATE INDEX idx_audit_at ON audit_events (at)',
  'CREATE INDEX idx_audit_subject ON audit_events (subject)',
  'CREATE INDEX idx_oidc_grant ON oidc_payloads (grant_id)',
  'CREATE INDEX idx_oidc_uid ON oidc_payloads (uid)',
  'CREATE INDEX idx_oidc_user_code ON oidc_payloads (user_code)',
  'CREATE INDEX idx_oidc_expires ON oidc_payloads (expires_at)',
];

export class Initial1763800000000 implements MigrationInterface {
  name = 'Initial1763800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, columns] of Object.entries(tables)) await q.query(`CREATE TABLE ${name} (${columns})`);
    for (const sql of indexes) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of Object.keys(tables).reverse()) await q.query(`DROP TABLE ${name}`);
  }
}
