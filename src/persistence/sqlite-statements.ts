// node-sqlite3 prepares and finalizes a statement for every query, three trips through the thread
// pool each time. TypeORM sends the same SQL text over and over, so this driver keeps prepared
// statements by their text (least recently used out) and runs each query as one trip.
import sqlite3 from 'sqlite3';

type Callback = (this: sqlite3.Statement, err: Error | null, rows?: unknown[]) => void;

interface Entry {
  statement: Promise<sqlite3.Statement>;
  users: number;
  evicted: boolean;
}

const MAX_STATEMENTS = 256;

class CachingDatabase extends sqlite3.Database {
  readonly #entries = new Map<string, Entry>();
  #closing = false;

  override all(sql: string, ...args: unknown[]): this {
    return this.#cached('all', sql, args) ?? super.all(sql, ...(args as []));
  }

  override run(sql: string, ...args: unknown[]): this {
    return this.#cached('run', sql, args) ?? super.run(sql, ...(args as []));
  }

  override close(callback?: (err: Error | null) => void): void {
    // Queries that arrive from now on take the usual way (and fail as on any closed database).
    this.#closing = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    void Promise.all(entries.map((e) => e.statement.then((s) => new Promise<void>((resolve) => s.finalize(() => resolve())), () => undefined))).then(() =>
      super.close(callback),
    );
  }

  /** Only TypeORM's form, (sql, parameters, callback), is cached; anything else goes the usual way. */
  #cached(method: 'all' | 'run', sql: string, args: unknown[]): this | undefined {
    const [params, callback] = args;
    if (this.#closing || args.length !== 2 || typeof callback !== 'function') return undefined;
    const entry = this.#entry(sql);
    entry.users++;
    entry.statement.then(
      (statement) =>
        statement[method](params ?? [], function (this: sqlite3.Statement, err: Error | null, rows?: unknown[]) {
          entry.users--;
          if (entry.evicted && entry.users === 0) statement.finalize();
          (callback as Callback).call(this, err, rows);
        }),
      (err: Error) => {
        entry.users--;
        (callback as Callback).call(undefined as unknown as sqlite3.Statement, err);
      },
    );
    return this;
  }

  #entry(sql: string): Entry {
    const known = this.#entries.get(sql);
    if (known) {
      this.#entries.delete(sql);
      this.#entries.set(sql, known);
      return known;
    }
    const entry: Entry = {
      users: 0,
      evicted: false,
      statement: new Promise((resolve, reject) => {
        const statement = this.prepare(sql, (err: Error | null) => (err ? reject(err) : resolve(statement)));
      }),
    };
    // A statement that does not prepare is not kept: the caller gets the error, the next one tries again.
    entry.statement.catch(() => this.#entries.get(sql) === entry && this.#entries.delete(sql));
    this.#entries.set(sql, entry);
    if (this.#entries.size > MAX_STATEMENTS) {
      const [oldestSql, oldest] = this.#entries.entries().next().value!;
      this.#entries.delete(oldestSql);
      oldest.evicted = true;
      if (oldest.users === 0) void oldest.statement.then((s) => s.finalize(), () => undefined);
    }
    return entry;
  }
}

/** The sqlite3 module as TypeORM loads it (`driver.verbose()`), with the caching Database. */
export const cachingSqliteDriver = { verbose: () => ({ ...sqlite3, Database: CachingDatabase }) };
