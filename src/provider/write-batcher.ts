// Group commit for the adapter's writes on SQLite. Every committed SQLite transaction waits for the
// disk (the WAL is synced at each commit), and node-sqlite3 holds the connection while it does, so
// a token endpoint that writes (a refresh token rotated, an opaque access token stored) spends
// most of its time waiting for one sync per row. Writes that arrive while a commit is under way
// are committed together in the next transaction: one sync for many rows. Each caller learns when
// its own row is committed (a token request may go on before, but its response waits: held-writes.ts;
// one kind of row does not wait even there: adapter.ts, ANSWERED_BEFORE_COMMIT).
//
// Consecutive writes of a statement that has a multi-row form (an INSERT … VALUES (…), (…)) go as
// one statement: each statement is a trip through node-sqlite3's thread pool, and on one
// connection those trips, not the disk, are what a busy token endpoint waits for. A batch of one
// such run needs no transaction at all (one statement is atomic).
//
// Writes that each name the one row they touch, no row twice, commute: a batch of them is sent
// grouped by statement (a refresh-token rotation's consume, then every new token in one INSERT).
//
// A batch that fails is tried again row by row, so one caller's failure is never another's (not
// when the database is away: every row would fail the same, each after the busy timeout); the
// writes of one request that holds its writes are tried again together, in one transaction, so that
// they are all written or none (a rotation never left half done). A write may claim its row (a
// grant consumed: reused-grant.ts): if the row is taken, that write is refused, and with it the
// rest of its request's writes in the same batch.
// PostgreSQL needs none of this: each pooled connection commits on its own.
import type { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '../persistence/kept-update.js';
import { isDatabaseUnavailable } from '../persistence/unavailable.js';

/**
 * A write; `forRows(n)` is the same write for n parameter rows at once, when it has such a form. It
 * must take a row given twice as once (an upsert): runs are padded with their last row.
 */
export interface BatchStatement {
  sql: string;
  forRows?: (n: number) => string;
  /**
   * A statement that claims its rows (an UPDATE … WHERE the row is still free … RETURNING) names
   * each row it returns as its write named it (`row`). A write whose row does not come back is
   * refused with `Unclaimed`, and the other writes of its unit with it.
   */
  claimed?: (returned: Record<string, unknown>) => string;
}

/** A claiming write whose row was not there to claim: another write took it first, or it is gone. */
export class Unclaimed extends Error {
  constructor() {
    super('the row was not there to claim');
    this.name = 'Unclaimed';
  }
}

interface Write {
  statement: BatchStatement;
  params: unknown[];
  /** The one row the write touches, when it names one. */
  row: string | undefined;
  /** The request whose writes these are, when they stand or fall together. */
  unit: object | undefined;
  resolve(): void;
  reject(err: unknown): void;
}

/** More rows than this wait for the next transaction (keeps each one short). */
const MAX_BATCH = 64;

/** Multi-row statements are made for 2, 4, 8… rows (the last row repeated), so few are prepared. */
const bucket = (n: number): number => 2 ** Math.ceil(Math.log2(n));

export class WriteBatcher {
  #pending: Write[] = [];
  #flushing = false;

  constructor(private readonly ds: DataSource) {}

  /**
   * `row` names the one row the write touches (any string that tells rows apart), if it touches one;
   * writes given the same `unit` are, if their batch fails, tried again all together.
   */
  write(statement: BatchStatement | string, params: unknown[], row?: string, unit?: object): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ statement: typeof statement === 'string' ? { sql: statement } : statement, params, row, unit, resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Writes made in the same turn of the event loop go in the first transaction.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#pending.length) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        const runs = runsOf(batch);
        if (runs.length === 1 && (batch.length === 1 || batch[0]!.statement.forRows)) await this.#alone(runs[0]!);
        else await this.#together(runs, batch);
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** One run in one statement, no transaction. */
  async #alone(run: Write[]): Promise<void> {
    let unclaimed: Write[];
    try {
      unclaimed = await send(this.ds, run);
    } catch (err) {
      if (run.length === 1 || isDatabaseUnavailable(err)) return refuse(run, err);
      return this.#again(run);
    }
    for (const w of run) {
      if (unclaimed.includes(w)) w.reject(new Unclaimed());
      else w.resolve();
    }
  }

  async #together(runs: Write[][], batch: Write[]): Promise<void> {
    try {
      await this.ds.transaction(async (manager) => {
        // A claim refused undoes the batch: its unit's other writes must not stay.
        for (const run of runs) if ((await send(manager, run)).length) throw new Unclaimed();
      });
    } catch (err) {
      // The database away (locked past the busy timeout, unreachable): each row tried again would
      // wait as long again, and hold the one connection for every other request meanwhile.
      if (isDatabaseUnavailable(err)) return refuse(batch, err);
      return this.#again(batch);
    }
    for (const w of batch) w.resolve();
  }

  /** After a failed batch: each row alone, so that only a row that fails by itself fails; a unit's rows together. */
  async #again(batch: Write[]): Promise<void> {
    const done = new Set<object>();
    for (const w of batch) {
      if (!w.unit) await this.#rows([w]);
      else if (!done.has(w.unit)) {
        done.add(w.unit);
        await this.#rows(batch.filter((other) => other.unit === w.unit));
      }
    }
  }

  /** `writes` in one transaction (one write: on its own), in their order; all settle alike. */
  async #rows(writes: Write[]): Promise<void> {
    try {
      if (writes.length === 1) {
        if ((await send(this.ds, writes)).length) throw new Unclaimed();
      } else {
        await this.ds.transaction(async (manager) => {
          for (const w of writes) if ((await send(manager, [w])).length) throw new Unclaimed();
        });
      }
    } catch (err) {
      for (const w of writes) w.reject(err);
      return;
    }
    for (const w of writes) w.resolve();
  }
}

function refuse(writes: Write[], err: unknown): void {
  for (const w of writes) w.reject(err);
}

/** The batch cut where the statement changes; a statement without a multi-row form runs row by row. */
function runsOf(batch: Write[]): Write[][] {
  const runs: Write[][] = [];
  for (const w of commute(batch) ? byStatement(batch) : batch) {
    const last = runs.at(-1);
    if (last && last[0]!.statement === w.statement && w.statement.forRows) last.push(w);
    else runs.push([w]);
  }
  return runs;
}

/** Whether every write names its row and no row comes twice: then their order does not matter. */
function commute(batch: Write[]): boolean {
  const rows = new Set<string>();
  for (const { row } of batch) {
    if (row === undefined || rows.has(row)) return false;
    rows.add(row);
  }
  return true;
}

/** The writes of each statement together, statements in the order they first came. */
function byStatement(batch: Write[]): Write[] {
  const rank = new Map<BatchStatement, number>();
  for (const w of batch) if (!rank.has(w.statement)) rank.set(w.statement, rank.size);
  return batch.toSorted((a, b) => rank.get(a.statement)! - rank.get(b.statement)!);
}

/**
 * One run as one statement: its rows' parameters one after the other, the last row repeated up to the
 * bucket. Answers the writes of a claiming statement whose row did not come back.
 */
async function send(db: DataSource | EntityManager, run: Write[]): Promise<Write[]> {
  const { statement } = run[0]!;
  let result: unknown;
  if (run.length === 1) result = await db.query(statement.sql, run[0]!.params);
  else {
    const size = bucket(run.length);
    const params = run.flatMap((w) => w.params);
    for (let i = run.length; i < size; i++) params.push(...run.at(-1)!.params);
    result = await db.query(statement.forRows!(size), params);
  }
  if (!statement.claimed) return [];
  // A row comes back once, however many writes named it: it is the first one's.
  const claimed = new Set(returnedRows<Record<string, unknown>>(result).map(statement.claimed));
  return run.filter((w) => !claimed.delete(w.row!));
}
