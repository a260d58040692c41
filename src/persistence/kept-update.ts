// An UPDATE written once and run through ds.query (whose statements the SQLite data source keeps
// prepared), for the rows every sign-in changes: the PIN it claims, the account it clears. A
// repository's update builds its query and prepares a statement on every call. It answers how many
// rows changed, or what of them `returning` names, asked back with RETURNING: the one answer both
// databases give through ds.query.
import type { DataSource } from 'typeorm';

/** The SQL for the database in use: `$1`-style parameters as written, `?1` on SQLite. */
export function sqlFor(ds: DataSource): (sql: string) => string {
  return ds.options.type === 'postgres' ? (sql) => sql : (sql) => sql.replace(/\$(\d+)/g, '?$1');
}

export class KeptUpdate {
  readonly #sql: string;

  /** `sql`: an UPDATE with `$1`-style parameters and no RETURNING of its own; `returning`: the columns asked back. */
  constructor(
    private readonly ds: DataSource,
    sql: string,
    returning = '1 AS "changed"',
  ) {
    this.#sql = sqlFor(ds)(`${sql} RETURNING ${returning}`);
  }

  /** How many rows it changed. */
  async run(params: unknown[]): Promise<number> {
    return (await this.rows(params)).length;
  }

  /** The rows it changed, as `returning` names them. */
  async rows<T>(params: unknown[]): Promise<T[]> {
    return returnedRows<T>(await this.ds.query(this.#sql, params));
  }
}

/** The rows an UPDATE asked back with RETURNING, from what ds.query answers on either database. */
export function returnedRows<T>(result: unknown): T[] {
  // PostgreSQL's query runner answers [rows, count] for an UPDATE; SQLite's kept statements the rows.
  const answer = result as unknown[];
  return (Array.isArray(answer[0]) ? answer[0] : answer) as T[];
}
