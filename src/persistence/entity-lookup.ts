// One row by equality, for the lookups every sign-in makes. TypeORM's find builds a query builder
// and the SQL text on every call (about 0.1 ms each, a dozen times per sign-in); here the SQL for each
// shape of `where` is written once and run with ds.query, like the oidc-provider adapter's, and the
// row becomes an entity through the entity's column metadata (types the entities use, transformers).
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

type Scalar = string | number | boolean | null;
type Column = EntityMetadata['columns'][number];
type Order<T> = { by: keyof T & string; direction: 'ASC' | 'DESC' };
type Kind = 'one' | 'exists' | 'count';

export class EntityLookup<T extends ObjectLiteral> {
  readonly #meta: EntityMetadata;
  readonly #readers: Array<{ property: string; name: string; read: (value: unknown) => unknown }>;
  readonly #placeholder: (n: number) => string;
  readonly #sql = new Map<string, string>();

  constructor(
    private readonly ds: DataSource,
    entity: EntityTarget<T>,
  ) {
    this.#meta = ds.getMetadata(entity);
    this.#readers = this.#meta.columns.map((c) => ({ property: c.propertyName, name: c.databaseName, read: reader(this.#meta, c) }));
    this.#placeholder = ds.options.type === 'postgres' ? (n) => `$${n}` : (n) => `?${n}`;
  }

  /** The first row where every property of `where` is equal, in `order` (newest first, say). */
  async one(where: Partial<Record<keyof T & string, Scalar>>, order?: Order<T>): Promise<T | null> {
    const [row] = await this.#query('one', where, order);
    if (!row) return null;
    const entity = this.#meta.create() as Record<string, unknown>;
    for (const { property, name, read } of this.#readers) entity[property] = read(row[name]);
    return entity as T;
  }

  async exists(where: Partial<Record<keyof T & string, Scalar>>): Promise<boolean> {
    return (await this.#query('exists', where)).length > 0;
  }

  /** How many rows match (a null in `where` matches NULL). */
  async count(where: Partial<Record<keyof T & string, Scalar>>): Promise<number> {
    const [row] = await this.#query('count', where);
    return Number(row?.n ?? 0);
  }

  #query(kind: Kind, where: Record<string, Scalar | undefined>, order?: Order<T>): Promise<Array<Record<string, unknown>>> {
    const keys = Object.keys(where);
    const nulls = keys.filter((k) => where[k] === null);
    const bound = keys.filter((k) => where[k] !== null);
    const shape = `${kind}|${bound.join(',')}|${nulls.join(',')}|${order ? `${order.by} ${order.direction}` : ''}`;
    let sql = this.#sql.get(shape);
    if (!sql) {
      sql = this.#build(kind, bound, nulls, order);
      this.#sql.set(shape, sql);
    }
    return this.ds.query(sql, bound.map((k) => where[k]));
  }

  #build(kind: Kind, keys: string[], nulls: string[], order?: Order<T>): string {
    const column = (property: string) => {
      const found = this.#readers.find((r) => r.property === property);
      if (!found) throw new Error(`${this.#meta.name} has no column ${property}`);
      return `"${found.name}"`;
    };
    const conditions = [...keys.map((k, i) => `${column(k)} = ${this.#placeholder(i + 1)}`), ...nulls.map((k) => `${column(k)} IS NULL`)].join(' AND ');
    if (kind === 'count') return `SELECT COUNT(*) AS "n" FROM "${this.#meta.tableName}" WHERE ${conditions}`;
    const select = kind === 'exists' ? '1 AS "found"' : this.#readers.map((r) => `"${r.name}"`).join(', ');
    const sort = order ? ` ORDER BY ${column(order.by)} ${order.direction}` : '';
    return `SELECT ${select} FROM "${this.#meta.tableName}" WHERE ${conditions}${sort} LIMIT 1`;
  }
}

/** How a stored value of `column` becomes the entity's: the column types the entities use, then the column's transformer. */
function reader(meta: EntityMetadata, column: Column): (value: unknown) => unknown {
  if (column.embeddedMetadata || column.relationMetadata || Array.isArray(column.transformer)) {
    throw new Error(`EntityLookup does not read ${meta.name}.${column.propertyName} (embedded, relation or several transformers)`);
  }
  const type = typeof column.type === 'string' ? column.type : column.type.name.toLowerCase();
  const convert = CONVERSIONS[type];
  if (!convert) throw new Error(`EntityLookup does not read ${type} columns (${meta.name}.${column.propertyName})`);
  const transformer = column.transformer;
  return transformer ? (v) => transformer.from(v === null || v === undefined ? v : convert(v)) : (v) => (v === null || v === undefined ? v : convert(v));
}

const same = (v: unknown) => v;
const CONVERSIONS: Record<string, (value: unknown) => unknown> = {
  varchar: same,
  text: same,
  integer: same,
  int: same,
  bigint: same, // PostgreSQL answers a string: the epoch columns' transformer makes it a number
  // SQLite stores booleans as 1 and 0.
  boolean: (v) => Boolean(v),
  'simple-json': (v) => (typeof v === 'string' ? JSON.parse(v) : v),
};
