// An UPDATE written once and run through ds.query (whose statements the SQLite data source keeps
// prepared), for the rows every sign-in changes: the PIN it claims, the account it clears. A
// repository's update builds its query and prepares a statement on every call. It answers how many
// rows changed, asked back with RETURNING: the one answer both databases give through ds.query.
import type { DataSource } from 'typeorm';

/** The SQL for the database in use: `$1`-style parameters as written, `?1` on SQLite. */
export function sqlFor(ds: DataSource): (sql: string) => string {
  return ds.options.type === 'postgres' ? (sql) => sql : (sql) => sql.replace(/\$(\d+)/g, '?$1');
}

export class KeptUpdate {
  readonly #sql: string;

  /** `sql`: an UPDATE with `$1`-style parameters and no RETURNING of its own. */
  constructor(
    private readonly ds: DataSource,
    sql: string,
  ) {
    this.#sql = sqlFor(ds)(`${sql} RETURNING 1 AS "changed"`);
  }

  /** How many rows it changed. */
  async run(params: unknown[]): Promise<number> {
    const result = (await this.ds.query(this.#sql, params)) as unknown[];
    // PostgreSQL's query runner answers [rows, count] for an UPDATE; SQLite's kept statements the rows.
    const rows = Array.isArray(result[0]) ? result[0] : result;
    return rows.length;
  }
}
