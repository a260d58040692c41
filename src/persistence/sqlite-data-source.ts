// TypeORM's SQLite data source with the two things its driver leaves to us, through public API only:
// - one transaction at a time: every caller shares one connection, and TypeORM nests a transaction
//   begun while another runs into it (or both send BEGIN and one fails);
// - raw queries (`ds.query`: the oidc-provider adapter, the sign-in lookups) keep their prepared
//   statement (kept-statements.ts).
import type sqlite3 from 'sqlite3';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { KeptStatements } from './kept-statements.js';

type Isolation = NonNullable<Parameters<QueryRunner['startTransaction']>[0]>;

export class SqliteDataSource extends DataSource {
  #transactions: Promise<unknown> = Promise.resolve();
  // QueryRunner.connect() hands out the connection itself: node-sqlite3's Database.
  readonly #statements = new KeptStatements(async () => (await this.createQueryRunner().connect()) as sqlite3.Database);
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
    return (await this.#statements.query(sql, parameters ?? [])) as T;
  }

  override async destroy(): Promise<void> {
    // Queries from now on take TypeORM's own way; a connection with statements left open does not close.
    this.#closing = true;
    await this.#statements.close();
    await super.destroy();
  }
}
