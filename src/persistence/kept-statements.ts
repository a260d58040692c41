// Prepared statements kept for one node-sqlite3 connection. node-sqlite3 otherwise prepares and
// finalizes a statement for every query: three trips through the thread pool instead of one.
import type sqlite3 from 'sqlite3';
import { QueryFailedError } from 'typeorm';

interface Kept {
  statement: Promise<sqlite3.Statement>;
  users: number;
  evicted: boolean;
}

const MAX_STATEMENTS = 128;

export class KeptStatements {
  readonly #statements = new Map<string, Kept>();

  constructor(private readonly connection: () => Promise<sqlite3.Database>) {}

  /** Runs `sql` as TypeORM's SQLite query runner would answer it (see `answer`). */
  async query(sql: string, parameters: unknown[]): Promise<unknown> {
    const kept = this.#keep(sql);
    kept.users++;
    try {
      return await answer(await kept.statement, sql, parameters);
    } finally {
      kept.users--;
      if (kept.evicted && kept.users === 0) void kept.statement.then(finalize, () => undefined);
    }
  }

  /** Finalizes every statement (a connection with statements left open does not close). */
  async close(): Promise<void> {
    const kept = [...this.#statements.values()];
    this.#statements.clear();
    await Promise.all(kept.map((k) => k.statement.then(finalize, () => undefined)));
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
    const db = await this.connection();
    return new Promise((resolve, reject) => {
      const statement = db.prepare(sql, (err: Error | null) => (err ? reject(new QueryFailedError(sql, [], err)) : resolve(statement)));
    });
  }
}

/**
 * What TypeORM's SQLite query runner answers: the new row id for an INSERT, nothing for UPDATE and
 * DELETE, else the rows; and the rows a statement asks back with RETURNING.
 */
function answer(statement: sqlite3.Statement, sql: string, parameters: unknown[]): Promise<unknown> {
  const write = /^(INSERT|UPDATE|DELETE) /.test(sql) && !/\sRETURNING\s/.test(sql);
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
