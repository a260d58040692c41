// TypeORM's SQLite data source with what its driver leaves to us, through public API only:
// - transactions on a connection of their own. Every other query shares one connection, and a
//   transaction open on it would take in whatever other requests write meanwhile: their rows would
//   be acknowledged, then rolled back with it. On a second connection a transaction holds SQLite's
//   write lock, so other writers wait for its commit (the busy timeout), and readers see only what
//   is committed. One transaction at a time (TypeORM nests a transaction begun while another runs).
//   An in-memory database has one connection only, and keeps both on it.
// - raw queries (`ds.query`: the oidc-provider adapter, the sign-in lookups) keep their prepared
//   statement (kept-statements.ts), on either connection.
import type sqlite3 from 'sqlite3';
import { DataSource, type DataSourceOptions, type EntityManager, type QueryRunner } from 'typeorm';
import { KeptStatements } from './kept-statements.js';

type Isolation = NonNullable<Parameters<QueryRunner['startTransaction']>[0]>;
type Run<T> = (manager: EntityManager) => Promise<T>;

export class SqliteDataSource extends DataSource {
  #transactions: Promise<unknown> = Promise.resolve();
  // QueryRunner.connect() hands out the connection itself: node-sqlite3's Database.
  readonly #statements = new KeptStatements(async () => (await this.createQueryRunner().connect()) as sqlite3.Database);
  /** The connection transactions run on (none for an in-memory database, or on that connection itself). */
  #transactional?: SqliteDataSource;
  #closing = false;

  constructor(
    options: DataSourceOptions,
    private readonly role: 'shared' | 'transactions' = 'shared',
  ) {
    super(options);
  }

  override async initialize(): Promise<this> {
    await super.initialize();
    const file = this.options.database;
    if (this.role === 'shared' && typeof file === 'string' && file !== ':memory:' && file !== '') {
      const transactional = new SqliteDataSource({ ...this.options, migrations: [], migrationsRun: false } as DataSourceOptions, 'transactions');
      try {
        await transactional.initialize();
      } catch (err) {
        await super.destroy();
        throw err;
      }
      this.#transactional = transactional;
    }
    return this;
  }

  /** Runs a PRAGMA on every connection (the transactions' one included). */
  async pragma(statement: string): Promise<void> {
    await this.query(`PRAGMA ${statement}`);
    await this.#transactional?.query(`PRAGMA ${statement}`);
  }

  override transaction<T>(run: Run<T>): Promise<T>;
  override transaction<T>(isolation: Isolation, run: Run<T>): Promise<T>;
  override transaction<T>(first: Isolation | Run<T>, second?: Run<T>): Promise<T> {
    const start = async (): Promise<T> => {
      if (this.#transactional) return typeof first === 'function' ? this.#transactional.transaction(first) : this.#transactional.transaction(first, second!);
      // One connection: a save() outside a transaction opens one of its own on it: let it end.
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
    return (await this.#statements.query(sql, parameters ?? [])) as T;
  }

  override async destroy(): Promise<void> {
    // Queries from now on take TypeORM's own way; a connection with statements left open does not close.
    this.#closing = true;
    const transactional = this.#transactional;
    this.#transactional = undefined;
    await this.#transactions.catch(() => undefined);
    await transactional?.destroy();
    await this.#statements.close();
    await super.destroy();
  }
}
