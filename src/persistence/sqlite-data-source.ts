// TypeORM's SQLite data source with the two things its driver leaves to us, through public API only:
// - one transaction at a time: every caller shares one connection, and TypeORM nests a transaction
//   begun while another runs into it (or both send BEGIN and one fails);
// - raw queries (`ds.query`: the oidc-provider adapter, the sign-in lookups) keep their prepared
//   statement. node-sqlite3 otherwise prepares and finalizes a statement for every query, three
//   trips through the thread pool instead of one (about 2 ms more CPU per sign-in).
import sqlite3 from 'sqlite3';
import { DataSource, type EntityManager, QueryFailedError, type QueryRunner } from 'typeorm';

type Isolation = NonNullable<Parameters<QueryRunner['startTransaction']>[0]>;

interface Kept {
  statement: Promise<sqlite3.Statement>;
  users: number;
  evicted: boolean;
}

const MAX_STATEMENTS = 128;

export class SqliteDataSource extends DataSource {
  #transactions: Promise<unknown> = Promise.resolve();
  readonly #statements = new Map<string, Kept>();
  #closing = false;

  override transaction<T>(run: (manager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(isolation: Isolation, run: (manager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(first: Isolation | ((manager: EntityManager) => Promise<T>), second?: (manager: EntityManager) => Promise<T>): Promise<T> {
    const start = async (): Promise<T> => {
      // A save() outside a transaction opens one of its own on the shared connection: let it end.
      // TypeORM marks ours active before its first await, so nothing can begin between the two.
      while (this.createQueryRunner().isTransactionActive) await new Promise((resolve) => setTimeout(resolve, 1));
      return typeof first === 'function' ? super.transaction(first) : super.transaction(first, second!);
    };
    const result = this.#transactions.then(start, start);
    this.#transactions = result.catch(() => undefined);
    return result;
  }

  override async query<T = unknown>(sql: string, parameters?: unknown[], queryRunner?: QueryRunner): Promise<T> {
    if (this.#closing || !this.isInitialized || queryRunner?.isReleased) return super.query(sql, parameters, queryRunner);
    const kept = this.#keep(sql);
    kept.users++;
    try {
      return (await run(await kept.statement, sql, parameters ?? [])) as T;
    } finally {
      kept.users--;
      if (kept.evicted && kept.users === 0) void kept.statement.then(finalize, () => undefined);
    }
  }

  override async destroy(): Promise<void> {
    // Queries from now on take TypeORM's own way; a connection with statements left open does not close.
    this.#closing = true;
    const kept = [...this.#statements.values()];
    this.#statements.clear();
    await Promise.all(kept.map((k) => k.statement.then(finalize, () => undefined)));
    await super.destroy();
  }

  /** The kept statement for `sql` (the least recently used one goes beyond MAX_STATEMENTS). */
  #keep(sql: string): Kept {
    const known = this.#statements.get(sql);
    if (known) {
      this.#statements.delete(sql);
      this.#statements.set(sql, known);
      return known;
    }
    const kept: Kept = { statement: this.#prepare(sql), users: 0, evicted: false };
    // A statement that does not prepare is not kept: this caller gets the error, the next one tries again.
    kept.statement.catch(() => this.#statements.get(sql) === kept && this.#statements.delete(sql));
    this.#statements.set(sql, kept);
    if (this.#statements.size > MAX_STATEMENTS) {
      const [oldestSql, oldest] = this.#statements.entries().next().value!;
      this.#statements.delete(oldestSql);
      oldest.evicted = true;
      if (oldest.users === 0) void oldest.statement.then(finalize, () => undefined);
    }
    return kept;
  }

  async #prepare(sql: string): Promise<sqlite3.Statement> {
    // QueryRunner.connect() hands out the connection itself: node-sqlite3's Database.
    const db = (await this.createQueryRunner().connect()) as sqlite3.Database;
    return new Promise((resolve, reject) => {
      const statement = db.prepare(sql, (err: Error | null) => (err ? reject(new QueryFailedError(sql, [], err)) : resolve(statement)));
    });
  }
}

/** What TypeORM's SQLite query runner answers: the new row id for an INSERT, nothing for UPDATE and DELETE, else the rows. */
function run(statement: sqlite3.Statement, sql: string, parameters: unknown[]): Promise<unknown> {
  const write = /^(INSERT|UPDATE|DELETE) /.test(sql);
  return new Promise((resolve, reject) => {
    const done = function (this: sqlite3.RunResult, err: Error | null, rows?: unknown[]) {
      if (err) return reject(new QueryFailedError(sql, parameters, err));
      resolve(!write ? rows : sql.startsWith('INSERT ') ? this.lastID : undefined);
    };
    if (write) statement.run(parameters, done);
    else statement.all(parameters, done);
  });
}

function finalize(statement: sqlite3.Statement): Promise<void> {
  return new Promise((resolve) => statement.finalize(() => resolve()));
}
