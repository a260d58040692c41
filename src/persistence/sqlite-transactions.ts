// TypeORM's sqlite driver shares one connection (one query runner) between all callers. Two
// transactions begun at once then collide ("cannot start a transaction within a transaction") or
// interleave. This queues them: one transaction at a time on the shared runner. Code inside a
// transaction must not start another one (this codebase never nests them).
import type { DataSource, QueryRunner } from 'typeorm';

type Runner = QueryRunner & { transactionDepth: number };

export function serializeSqliteTransactions(ds: DataSource): void {
  const runner = ds.createQueryRunner() as Runner; // the driver's single shared runner
  const start = runner.startTransaction.bind(runner);
  const commit = runner.commitTransaction.bind(runner);
  const rollback = runner.rollbackTransaction.bind(runner);
  let queue: Promise<void> = Promise.resolve();
  let unlock: (() => void) | undefined;

  runner.startTransaction = async (isolation) => {
    const previous = queue;
    let release!: () => void;
    queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      await start(isolation);
    } catch (err) {
      release();
      throw err;
    }
    unlock = release;
  };
  const finishing = (end: () => Promise<void>) => async () => {
    try {
      await end();
    } finally {
      if (runner.transactionDepth === 0 && unlock) {
        const release = unlock;
        unlock = undefined;
        release();
      }
    }
  };
  runner.commitTransaction = finishing(commit);
  runner.rollbackTransaction = finishing(rollback);
}
