// TypeORM's SQLite driver writes number parameters into the SQL text itself ("at" = 1795994370894),
// so every insert or update with a timestamp is a statement never seen before: nothing prepared can
// be kept, and each one pushes a useful statement out of the cache. This makes numbers bound
// parameters like every other value (SQLite stores them the same way).
import type { DataSource } from 'typeorm';

type Escape = (sql: string, parameters: Record<string, unknown>, nativeParameters: Record<string, unknown>) => [string, unknown[]];

export function bindNumbers(ds: DataSource): void {
  const driver = ds.driver as unknown as { escapeQueryWithParameters: Escape };
  const escape = driver.escapeQueryWithParameters.bind(driver);
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    // A boxed number is not `typeof 'number'`, so the driver binds it like a string; unboxed after.
    const boxed: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parameters ?? {})) boxed[key] = typeof value === 'number' ? Object(value) : value;
    const [text, values] = escape(sql, boxed, nativeParameters);
    return [text, values.map((v) => (v instanceof Number ? v.valueOf() : v))];
  };
}
