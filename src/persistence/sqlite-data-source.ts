// TypeORM's SQLite data source with the two things its driver leaves to us, through public API only:
// - one transaction at a time, and no other write on the connection while it is open: every caller
//   shares one connection, and a write sent while another request's transaction is open would join
//   it: acknowledged, then lost if that transaction rolls back. Such writes wait for the transaction
//   to end; the transaction waits for those already sent. A transaction's own queries are known by
//   their asynchronous context; save() and remove(), which would open one of their own that no
//   context tells apart, are refused. Reads are not held back (they would wait for every group commit of
//   the oidc-provider adapter): a read may see a row of a transaction that is then rolled back.
// - raw queries (`ds.query`: the oidc-provider adapter, the sign-in lookups) keep their prepared
//   statement (kept-statements.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import type sqlite3 from 'sqlite3';
import { DataSource, type EntityManager, type QueryRunner, type ReplicationMode } from 'typeorm';
import { KeptStatements } from './kept-statements.js';

/** A statement that only reads (an UPDATE … RETURNING writes). */
const READ = /^\s*SELECT\b/i;

type Isolation = NonNullable<Parameters<QueryRunner['startTransaction']>[0]>;

interface Open {
  token: object;
  ended: Promise<void>;
}

export class SqliteDataSource extends DataSource {
  #transactions: Promise<unknown> = Promise.resolve();
  /** The transaction under way, if any. */
  #open: Open | null = null;
  readonly #inside = new AsyncLocalStorage<object>();
  /** Queries sent outside a transaction and not yet answered, and who waits for them to be none. */
  #inFlight = 0;
  #drained: (() => void) | null = null;
  readonly #gated = new WeakMap<QueryRunner, QueryRunner>();
  // QueryRunner.connect() hands out the connection itself: node-sqlite3's Database.
  readonly #statements = new KeptStatements(async () => (await this.createQueryRunner().connect()) as sqlite3.Database);
  #closing = false;
  /** Migrations run their own transactions, before the server takes requests. */
  #migrating = false;

  override transaction<T>(run: (manager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(isolation: Isolation, run: (manager: EntityManager) => Promise<T>): Promise<T>;
  override transaction<T>(first: Isolation | ((manager: EntityManager) => Promise<T>), second?: (manager: EntityManager) => Promise<T>): Promise<T> {
    const start = async (): Promise<T> => {
      const token = {};
      let end!: () => void;
      this.#open = { token, ended: new Promise<void>((resolve) => (end = resolve)) };
      try {
        if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
        return await this.#inside.run(token, () => (typeof first === 'function' ? super.transaction(first) : super.transaction(first, second!)));
      } finally {
        this.#open = null;
        end();
      }
    };
    const result = this.#transactions.then(start, start);
    this.#transactions = result.catch(() => undefined);
    return result;
  }

  override async query<T = unknown>(sql: string, parameters?: unknown[], queryRunner?: QueryRunner): Promise<T> {
    if (this.#closing || !this.isInitialized || queryRunner?.isReleased) return super.query(sql, parameters, queryRunner);
    return this.#inTurn(sql, async () => (await this.#statements.query(sql, parameters ?? [])) as T);
  }

  /** TypeORM's repositories and query builders ask for a runner: theirs waits its turn too. */
  override createQueryRunner(mode?: ReplicationMode): QueryRunner {
    const runner = super.createQueryRunner(mode);
    let gated = this.#gated.get(runner);
    if (!gated) {
      const query = (...args: Parameters<QueryRunner['query']>) => this.#inTurn(args[0], () => runner.query(...args));
      // save() and remove() open a transaction of their own on the shared connection, which nothing
      // here can tell from the others: on SQLite they are refused (ds.transaction, or insert/update/delete).
      const startTransaction = (...args: Parameters<QueryRunner['startTransaction']>) => {
        const inside = this.#inside.getStore();
        if (!this.#migrating && (inside === undefined || inside !== this.#open?.token)) {
          return Promise.reject(new Error('On SQLite a transaction is opened with DataSource.transaction(), not by save() or remove()'));
        }
        return Reflect.apply(runner.startTransaction, gated, args) as Promise<void>;
      };
      gated = new Proxy(runner, {
        get: (target, key) => (key === 'query' ? query : key === 'startTransaction' ? startTransaction : Reflect.get(target, key, target)),
      });
      this.#gated.set(runner, gated);
    }
    return gated;
  }

  override async runMigrations(options?: Parameters<DataSource['runMigrations']>[0]): ReturnType<DataSource['runMigrations']> {
    this.#migrating = true;
    try {
      return await super.runMigrations(options);
    } finally {
      this.#migrating = false;
    }
  }

  override async undoLastMigration(options?: Parameters<DataSource['undoLastMigration']>[0]): Promise<void> {
    this.#migrating = true;
    try {
      await super.undoLastMigration(options);
    } finally {
      this.#migrating = false;
    }
  }

  override async destroy(): Promise<void> {
    // Queries from now on take TypeORM's own way; a connection with statements left open does not close.
    this.#closing = true;
    await this.#statements.close();
    await super.destroy();
  }

  /** Runs `query` now when it reads, when no transaction is open, or when it belongs to the one that is; else after it. */
  #inTurn<T>(sql: string, query: () => Promise<T>): Promise<T> {
    if (READ.test(sql)) return query();
    if (this.#open) {
      const inside = this.#inside.getStore();
      return inside !== undefined && inside === this.#open.token ? query() : this.#afterOpen(sql, query);
    }
    this.#inFlight++;
    return query().finally(() => {
      if (--this.#inFlight === 0 && this.#drained) {
        this.#drained();
        this.#drained = null;
      }
    });
  }

  async #afterOpen<T>(sql: string, query: () => Promise<T>): Promise<T> {
    while (this.#open) await this.#open.ended;
    return this.#inTurn(sql, query);
  }
}
