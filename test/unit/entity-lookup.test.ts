// EntityLookup gives the same entities as TypeORM's find (types, transformers, JSON, booleans, nulls),
// picks by the order asked, and refuses a property the entity does not have. Runs on SQLite, and on
// PostgreSQL when TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DataSource, IsNull } from 'typeorm';
import { AuditEventEntity } from '../../src/persistence/entities/audit-event.entity.js';
import { PasskeyEntity } from '../../src/persistence/entities/passkey.entity.js';
import { UserEntity } from '../../src/persistence/entities/user.entity.js';
import { EntityLookup } from '../../src/persistence/entity-lookup.js';
import { RowInsert } from '../../src/persistence/row-insert.js';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

let db: OpenTestDatabase;
let ds: DataSource;

beforeAll(async () => {
  db = await openTestDatabase('idp-lookup-');
  ds = db.ds;
});

afterAll(async () => {
  await db?.close();
});

const user = (id: string, username: string, over: Partial<UserEntity> = {}): UserEntity =>
  Object.assign(new UserEntity(), {
    id,
    username,
    email: `${username}@example.com`,
    emailVerified: true,
    mobile: null,
    name: 'Quinn',
    role: 'admin',
    status: 'active',
    failedLogins: 2,
    lockedAt: null,
    lockedUntil: 1_900_000_000_123,
    lastLoginAt: null,
    sessionsEndedAt: null,
    temporaryPasswordUntil: null,
    locale: null,
    createdAt: 1_800_000_000_000,
    updatedAt: 1_800_000_000_001,
    ...over,
  });

describe('EntityLookup', () => {
  it('hydrates a row exactly as TypeORM does', async () => {
    await ds.getRepository(UserEntity).insert([user('u-1', 'quinn'), user('u-2', 'rhea', { emailVerified: false, mobile: '+15550100' })]);
    const find = new EntityLookup(ds, UserEntity);
    const wheres: Array<Partial<Pick<UserEntity, 'id' | 'username' | 'email' | 'status'>>> = [{ id: 'u-1' }, { username: 'rhea' }, { email: 'quinn@example.com', status: 'active' }];
    for (const where of wheres) {
      const quick = await find.one(where);
      expect(quick).toBeInstanceOf(UserEntity);
      expect(quick).toEqual(await ds.getRepository(UserEntity).findOneBy(where));
    }
    expect((await find.one({ id: 'u-2' }))!.emailVerified).toBe(false);
    expect((await find.one({ id: 'u-1' }))!.lockedUntil).toBe(1_900_000_000_123);
    expect(await find.one({ id: 'nobody' })).toBeNull();
  });

  it('reads JSON columns, follows the order asked, and tells whether a row exists', async () => {
    const event = (id: string, at: number) =>
      Object.assign(new AuditEventEntity(), { id, at, type: 'qf.test', outcome: 'success', actor: null, subject: 's-1', clientId: null, ip: null, details: { n: at, list: ['a'] } });
    await ds.getRepository(AuditEventEntity).insert([event('e-1', 10), event('e-3', 30), event('e-2', 20)]);
    const find = new EntityLookup(ds, AuditEventEntity);
    expect(await find.one({ subject: 's-1' }, { by: 'at', direction: 'DESC' })).toMatchObject({ id: 'e-3', at: 30, details: { n: 30, list: ['a'] } });
    expect(await find.one({ subject: 's-1' }, { by: 'at', direction: 'ASC' })).toMatchObject({ id: 'e-1', at: 10 });
    expect(await find.exists({ subject: 's-1', type: 'qf.test' })).toBe(true);
    expect(await find.exists({ subject: 's-2' })).toBe(false);
  });

  it('reads a passkey as TypeORM does (JSON list, booleans, a bigint counter with its own transformer)', async () => {
    await ds.getRepository(UserEntity).insert(user('u-p', 'pia'));
    const passkey = () =>
      Object.assign(new PasskeyEntity(), {
        id: 'p-1', userId: 'u-p', credentialId: 'cred-1', publicKey: 'pk', counter: 4_000_000_000, transports: ['usb', 'nfc'],
        backupEligible: true, backupState: false, aaguid: '00000000-0000-0000-0000-000000000000', name: 'key', createdAt: 1_800_000_000_000, lastUsedAt: null,
      });
    // A fresh object each time: on PostgreSQL an insert writes the row's returned defaults back into the one it was given.
    await ds.getRepository(PasskeyEntity).insert(passkey());
    const found = await new EntityLookup(ds, PasskeyEntity).one({ credentialId: 'cred-1' });
    expect(found).toEqual(passkey());
    expect(found).toEqual(await ds.getRepository(PasskeyEntity).findOneBy({ credentialId: 'cred-1' }));
  });

  it('counts rows, a null matching NULL', async () => {
    await ds.getRepository(UserEntity).insert([user('u-c1', 'cara', { mobile: null }), user('u-c2', 'cato', { mobile: '+15550101' }), user('u-c3', 'cleo', { mobile: null, status: 'disabled' })]);
    const find = new EntityLookup(ds, UserEntity);
    expect(await find.count({ name: 'Quinn', mobile: null })).toBe(await ds.getRepository(UserEntity).countBy({ name: 'Quinn', mobile: IsNull() }));
    expect(await find.count({ username: 'cato' })).toBe(1);
    expect(await find.count({ mobile: null, status: 'disabled' })).toBe(1);
    expect(await find.count({ username: 'nobody' })).toBe(0);
  });

  it('refuses a property the entity does not have', async () => {
    await expect(new EntityLookup(ds, UserEntity).one({ nickname: 'x' } as never)).rejects.toThrow('UserEntity has no column nickname');
  });
});

describe('RowInsert', () => {
  it('writes a row TypeORM reads back as it was given (JSON, booleans, epochs, nulls, a transformed bigint)', async () => {
    await new RowInsert(ds, UserEntity).insert(user('u-w', 'wren', { emailVerified: false, lockedUntil: null, mobile: '+15550102' }));
    expect(await ds.getRepository(UserEntity).findOneBy({ id: 'u-w' })).toEqual(user('u-w', 'wren', { emailVerified: false, lockedUntil: null, mobile: '+15550102' }));
    const event = Object.assign(new AuditEventEntity(), { id: 'e-w', at: 1_800_000_000_999, type: 'rw.test', outcome: 'failure', actor: 'a', subject: null, clientId: null, ip: '127.0.0.1', details: { nested: { ok: true }, list: [1, 'two'] } });
    await new RowInsert(ds, AuditEventEntity).insert(event);
    expect(await ds.getRepository(AuditEventEntity).findOneBy({ id: 'e-w' })).toEqual(event);
    const key = Object.assign(new PasskeyEntity(), {
      id: 'p-w', userId: 'u-w', credentialId: 'cred-w', publicKey: 'pk', counter: 4_100_000_000, transports: ['internal'],
      backupEligible: false, backupState: true, aaguid: '00000000-0000-0000-0000-000000000000', name: 'w', createdAt: 1_800_000_000_000, lastUsedAt: 1_800_000_000_500,
    });
    await new RowInsert(ds, PasskeyEntity).insert(key);
    expect(await ds.getRepository(PasskeyEntity).findOneBy({ id: 'p-w' })).toEqual(key);
  });
});
