// Group commit: concurrent writes share a transaction, each caller learns its own outcome, and a
// row that fails does not take the others of its batch with it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BatchStatement, WriteBatcher } from '../../src/provider/write-batcher.js';
import { type OpenTestDatabase, openTestDatabase } from '../support/test-server.js';

describe('WriteBatcher', () => {
  let db: OpenTestDatabase;
  const write = (batcher: WriteBatcher, id: string) =>
    batcher.write(`INSERT INTO oidc_payloads (model, id, payload, expires_at) VALUES (${db.ds.options.type === 'postgres' ? '$1, $2, $3, $4' : '?1, ?2, ?3, ?4'})`, ['Batch', id, '{}', null]);

  beforeAll(async () => {
    db = await openTestDatabase('idp-batch-');
  });

  afterAll(async () => {
    await db?.close();
  });

  it('commits concurrent writes together, and only a failing row fails', async () => {
    const batcher = new WriteBatcher(db.ds);
    let transactions = 0;
    const original = db.ds.transaction.bind(db.ds) as (...a: unknown[]) => Promise<unknown>;
    (db.ds as unknown as { transaction: (...a: unknown[]) => Promise<unknown> }).transaction = (...a) => {
      transactions++;
      return original(...a);
    };
    const ids = Array.from({ length: 20 }, (_, i) => `row-${i}`);
    const results = await Promise.allSettled([...ids.map((id) => write(batcher, id)), write(batcher, 'row-3')]);
    expect(results.slice(0, 20).every((r) => r.status === 'fulfilled')).toBe(true);
    // The duplicate key is the one refusal, and it is its caller's.
    expect(results[20]!.status).toBe('rejected');
    const rows = (await db.ds.query(`SELECT id FROM oidc_payloads WHERE model = 'Batch'`)) as Array<{ id: string }>;
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(transactions).toBeLessThanOrEqual(2);
  });

  it('does not try rows again one by one when the database is away: each would wait as long again', async () => {
    const batcher = new WriteBatcher(db.ds);
    const away = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    let attempts = 0;
    const patched = db.ds as unknown as { query: (...a: unknown[]) => Promise<unknown>; transaction: (...a: unknown[]) => Promise<unknown> };
    const [query, transaction] = [patched.query, patched.transaction];
    patched.query = async () => {
      attempts++;
      throw away();
    };
    patched.transaction = async () => {
      attempts++;
      throw away();
    };
    let results: PromiseSettledResult<void>[];
    try {
      results = await Promise.allSettled(['away-1', 'away-2', 'away-3', 'away-4'].map((id) => write(batcher, id)));
    } finally {
      patched.query = query;
      patched.transaction = transaction;
    }
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(results[0]).toMatchObject({ reason: { code: 'ECONNREFUSED' } });
    expect(attempts).toBe(1);
  });

  it('sends concurrent upserts as one multi-row statement, the later of two writes to a row winning', async () => {
    const postgres = db.ds.options.type === 'postgres';
    const values = (rows: number) =>
      Array.from({ length: rows }, (_, r) => `(${[1, 2, 3].map((f) => (postgres ? `$${r * 3 + f}` : `?${r * 3 + f}`)).join(', ')})`).join(', ');
    const upsert = (rows: number) => `INSERT INTO oidc_payloads (model, id, payload) VALUES ${values(rows)} ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload`;
    const statement: BatchStatement = { sql: upsert(1), forRows: upsert };
    const batcher = new WriteBatcher(db.ds);
    const sent: string[] = [];
    const query = db.ds.query.bind(db.ds);
    (db.ds as unknown as { query: typeof query }).query = (sql, ...rest) => {
      if (sql.includes("'Multi'") || sql.includes('oidc_payloads (model, id, payload) VALUES')) sent.push(sql);
      return query(sql, ...rest);
    };
    try {
      const writes = Array.from({ length: 11 }, (_, i) => batcher.write(statement, ['Multi', `m-${i}`, JSON.stringify({ n: i })]));
      writes.push(batcher.write(statement, ['Multi', 'm-3', JSON.stringify({ n: 'later' })]));
      await Promise.all(writes);
    } finally {
      (db.ds as unknown as { query: typeof query }).query = query;
    }
    const rows = (await db.ds.query(`SELECT id, payload FROM oidc_payloads WHERE model = 'Multi'`)) as Array<{ id: string; payload: string }>;
    expect(rows).toHaveLength(11);
    expect(JSON.parse(rows.find((r) => r.id === 'm-3')!.payload)).toEqual({ n: 'later' });
    // Twelve writes, one statement (padded to sixteen rows). PostgreSQL, where the adapter does not
    // batch, refuses a row twice in one upsert: the batch is then written row by row, and still right.
    expect(sent[0]!.match(/\(/g)!.length).toBeGreaterThanOrEqual(16);
    expect(sent).toHaveLength(postgres ? 1 + 12 : 1);
  });

  describe('writes that each name their row', () => {
    const postgres = () => Boolean(process.env.TEST_DATABASE_URL);
    const n = (i: number) => (postgres() ? `$${i}` : `?${i}`);
    const rowsOf = (count: number, width: number, row: (r: number) => string) => Array.from({ length: count }, (_, r) => row(r * width)).join(', ');
    const insert = (rows: number) =>
      `INSERT INTO oidc_payloads (model, id, payload) VALUES ${rowsOf(rows, 3, (b) => `(${n(b + 1)}, ${n(b + 2)}, ${n(b + 3)})`)} ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload`;
    // Marks rows consumed: one (model, id) pair per row.
    const mark = (rows: number) => `UPDATE oidc_payloads SET consumed_at = 1 WHERE ${rowsOf(rows, 2, (b) => `(model = ${n(b + 1)} AND id = ${n(b + 2)})`).replaceAll('), (', ') OR (')}`;
    const upsert: BatchStatement = { sql: insert(1), forRows: insert };
    const consume: BatchStatement = { sql: mark(1), forRows: mark };

    /** The statements the batch sends for `writes`, and its rows afterwards. */
    async function send(model: string, writes: (batcher: WriteBatcher) => Array<Promise<void>>) {
      const batcher = new WriteBatcher(db.ds);
      const sent: string[] = [];
      const query = db.ds.query.bind(db.ds);
      (db.ds as unknown as { query: typeof query }).query = (sql, ...rest) => {
        if (/^(INSERT INTO|UPDATE) oidc_payloads/.test(sql)) sent.push(sql.split(' ')[0]!);
        return query(sql, ...rest);
      };
      try {
        await Promise.all(writes(batcher));
      } finally {
        (db.ds as unknown as { query: typeof query }).query = query;
      }
      const rows = (await db.ds.query(`SELECT id, payload, consumed_at FROM oidc_payloads WHERE model = '${model}' ORDER BY id`)) as Array<{ id: string; payload: string; consumed_at: unknown }>;
      return { sent, rows: rows.map((r) => ({ id: r.id, payload: r.payload, consumed: r.consumed_at !== null })) };
    }

    it('go grouped by statement when no row comes twice', async () => {
      await db.ds.query(`INSERT INTO oidc_payloads (model, id, payload) VALUES ('Rotate', 'old-1', '{}'), ('Rotate', 'old-2', '{}')`);
      // Two rotations interleaved: each consumes its old row and writes two new ones.
      const { sent, rows } = await send('Rotate', (b) =>
        [1, 2].flatMap((i) => [
          b.write(consume, ['Rotate', `old-${i}`], `old-${i}`),
          b.write(upsert, ['Rotate', `new-${i}`, 'n'], `new-${i}`),
          b.write(upsert, ['Rotate', `access-${i}`, 'a'], `access-${i}`),
        ]),
      );
      expect(rows).toEqual([
        { id: 'access-1', payload: 'a', consumed: false },
        { id: 'access-2', payload: 'a', consumed: false },
        { id: 'new-1', payload: 'n', consumed: false },
        { id: 'new-2', payload: 'n', consumed: false },
        { id: 'old-1', payload: '{}', consumed: true },
        { id: 'old-2', payload: '{}', consumed: true },
      ]);
      // One UPDATE for both old rows, one INSERT for the four new ones (not four runs: U, I, U, I).
      if (!postgres()) expect(sent).toEqual(['UPDATE', 'INSERT']);
    });

    it('of one unit stand or fall together when their batch fails; the others each on their own', async () => {
      const unit = {};
      const outcomes = await Promise.allSettled(
        (() => {
          const b = new WriteBatcher(db.ds);
          return [
            b.write(upsert, ['Unit', 'mine-1', 'x'], 'mine-1', unit),
            b.write(upsert, ['Unit', 'other', 'y'], 'other'),
            // A NOT NULL column left null: this row fails, and takes its unit with it.
            b.write(upsert, ['Unit', 'mine-2', null], 'mine-2', unit),
          ];
        })(),
      );
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
      const rows = (await db.ds.query(`SELECT id FROM oidc_payloads WHERE model = 'Unit'`)) as Array<{ id: string }>;
      expect(rows.map((r) => r.id)).toEqual(['other']);
    });

    it('keep their order when a row comes twice, or a write names none', async () => {
      const twice = await send('Twice', (b) => [
        b.write(upsert, ['Twice', 'r', 'first'], 'r'),
        b.write(consume, ['Twice', 'r'], 'r'),
        b.write(upsert, ['Twice', 'r', 'second'], 'r'),
      ]);
      // In order: the last payload wins (this upsert leaves the mark alone, so the mark stays too).
      expect(twice.rows).toEqual([{ id: 'r', payload: 'second', consumed: true }]);
      if (!postgres()) expect(twice.sent).toEqual(['INSERT', 'UPDATE', 'INSERT']);
      const unnamed = await send('Unnamed', (b) => [
        b.write(upsert, ['Unnamed', 'a', '1'], 'a'),
        b.write(consume, ['Unnamed', 'a']),
        b.write(upsert, ['Unnamed', 'b', '2'], 'b'),
      ]);
      expect(unnamed.rows).toEqual([
        { id: 'a', payload: '1', consumed: true },
        { id: 'b', payload: '2', consumed: false },
      ]);
      if (!postgres()) expect(unnamed.sent).toEqual(['INSERT', 'UPDATE', 'INSERT']);
    });
  });
});
