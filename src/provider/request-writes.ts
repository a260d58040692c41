// PostgreSQL's side of held writes (held-writes.ts): each pooled connection commits on its own, so
// the adapter's writes of a request that holds them are kept until the request is handled and then
// written in one transaction: all or none (a refresh-token rotation never left half done). A
// connection is taken only for that transaction, never across the request. A request that reads a
// row it has written gets what it has kept written first. (SQLite groups writes in write-batcher.ts.)
import type { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '../persistence/kept-update.js';
import { holdWrite, requestHandled } from './held-writes.js';
import { type BatchStatement, Unclaimed } from './write-batcher.js';

/** A write; `refusal` is the error for a claim refused (its row was not there to claim). */
export interface KeptWrite {
  statement: BatchStatement | string;
  params: unknown[];
  refusal: (() => Error) | undefined;
}

/** What a request has kept (its rows, to know when it reads one), and the promise of what it wrote. */
interface Kept {
  writes: KeptWrite[];
  rows: Set<string>;
  written: Promise<void>;
}

/** One write; a claim refused throws its refusal. */
export async function runWrite(db: DataSource | EntityManager, w: KeptWrite): Promise<void> {
  const statement = typeof w.statement === 'string' ? { sql: w.statement } : w.statement;
  const result = await db.query(statement.sql, w.params);
  if (statement.claimed && !returnedRows(result).length) throw w.refusal?.() ?? new Unclaimed();
}

export class RequestWrites {
  readonly #byRequest = new WeakMap<object, Kept>();

  constructor(private readonly ds: DataSource) {}

  /** Keeps `w`, which touches `row`, for the transaction of `request` (a request that holds its writes). */
  keep(request: object, w: KeptWrite, row: string): void {
    let mine = this.#byRequest.get(request);
    if (!mine) {
      mine = { writes: [], rows: new Set(), written: Promise.resolve() };
      this.#byRequest.set(request, mine);
      const all = mine;
      holdWrite(request, requestHandled(request).then(() => this.#write(all)));
    }
    mine.writes.push(w);
    mine.rows.add(row);
  }

  /** Before `request` reads `row`: if it has kept a write of that row, what it has kept is written first. */
  async beforeRead(request: object, row: string): Promise<void> {
    const mine = this.#byRequest.get(request);
    if (mine?.rows.has(row)) await this.#write(mine);
  }

  /** Writes what the request has kept so far, in one transaction, after what it wrote before. */
  #write(mine: Kept): Promise<void> {
    const writes = mine.writes.splice(0);
    mine.rows.clear();
    mine.written = mine.written.then(async () => {
      if (!writes.length) return;
      await this.ds.transaction(async (manager) => {
        for (const w of writes) await runWrite(manager, w);
      });
    });
    return mine.written;
  }
}
