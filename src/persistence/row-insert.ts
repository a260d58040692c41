// One row inserted with SQL written once per entity, through ds.query (whose statements the SQLite
// data source keeps prepared), for the rows every sign-in writes: audit events, one-time PINs.
// A repository's insert builds its query and prepares a statement on every call. The row must be
// complete: no column default is filled in and nothing is read back.
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

type Column = EntityMetadata['columns'][number];

/** A row that may already be there under a unique key, and when the new one takes its place. */
export interface Replace {
  /** The properties of the unique key. */
  key: string[];
  /** SQL over the row already there (named by its table), `$1`… being the values given to `insert`. */
  when: string;
}

export class RowInsert<T extends ObjectLiteral> {
  readonly #sql: string;
  readonly #writers: Array<{ property: string; write: (value: unknown) => unknown }>;

  /** With `replace`, one statement inserts the row or replaces the one under its key (if `when` holds). */
  constructor(
    private readonly ds: DataSource,
    entity: EntityTarget<T>,
    replace?: Replace,
  ) {
    const meta = ds.getMetadata(entity);
    const postgres = ds.options.type === 'postgres';
    const param = (n: number) => (postgres ? `$${n}` : `?${n}`);
    this.#writers = meta.columns.map((c) => ({ property: c.propertyName, write: writer(meta, c, postgres) }));
    const names = meta.columns.map((c) => `"${c.databaseName}"`).join(', ');
    const values = meta.columns.map((_, i) => param(i + 1)).join(', ');
    this.#sql = `INSERT INTO "${meta.tableName}" (${names}) VALUES (${values})`;
    if (replace) {
      const keys = replace.key.map((property) => meta.findColumnWithPropertyName(property)!.databaseName);
      const set = meta.columns.filter((c) => !keys.includes(c.databaseName)).map((c) => `"${c.databaseName}" = excluded."${c.databaseName}"`);
      const when = replace.when.replace(/\$(\d+)/g, (_, n: string) => param(Number(n) + meta.columns.length));
      this.#sql += ` ON CONFLICT (${keys.map((k) => `"${k}"`).join(', ')}) DO UPDATE SET ${set.join(', ')} WHERE ${when} RETURNING 1 AS "written"`;
    }
  }

  /** Writes `row`; says whether it did (only a row kept under its key, `when` not holding, is not). */
  async insert(row: T, whenParams: unknown[] = []): Promise<boolean> {
    const result = (await this.ds.query(this.#sql, [...this.#writers.map(({ property, write }) => write(row[property])), ...whenParams])) as unknown;
    // A plain INSERT answers no rows; RETURNING answers the row written, or none.
    return !this.#sql.endsWith('"written"') || (Array.isArray(result) && result.length > 0);
  }
}

/** How the entity's value of `column` is stored: its transformer, then the column types the entities use. */
function writer(meta: EntityMetadata, column: Column, postgres: boolean): (value: unknown) => unknown {
  if (column.embeddedMetadata || column.relationMetadata || Array.isArray(column.transformer)) {
    throw new Error(`RowInsert does not write ${meta.name}.${column.propertyName} (embedded, relation or several transformers)`);
  }
  const type = typeof column.type === 'string' ? column.type : column.type.name.toLowerCase();
  const convert: ((v: unknown) => unknown) | undefined = {
    varchar: same,
    text: same,
    integer: same,
    int: same,
    bigint: same,
    boolean: (v: unknown) => (postgres ? Boolean(v) : v ? 1 : 0),
    'simple-json': (v: unknown) => JSON.stringify(v),
  }[type];
  if (!convert) throw new Error(`RowInsert does not write ${type} columns (${meta.name}.${column.propertyName})`);
  const transformer = column.transformer;
  return (v) => {
    const value = transformer ? transformer.to(v) : v;
    return value === null || value === undefined ? null : convert(value);
  };
}

const same = (v: unknown) => v;
