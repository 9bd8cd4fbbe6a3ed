import type { Db } from './db.ts';

interface Pending {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for the credential endpoint's writes. With WAL and `synchronous=FULL` every
 * commit waits for a disk flush, which would cap the endpoint at one flush per request;
 * here the operations queued during one turn of the event loop run in a single transaction
 * and share one flush. A caller's promise settles only after that COMMIT has returned, so
 * nothing is answered before it is durable. Each operation runs in its own savepoint: one
 * that throws is rolled back alone and rejects only its own caller.
 */
export class WriteBatch {
  private queue: Pending[] = [];

  constructor(private readonly db: Db) {}

  /** Runs `op` inside the next group transaction; resolves with its result once committed. */
  run<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Requests parsed in the same poll phase join before the check phase flushes them.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Commits whatever is queued now (also called before the store closes). */
  flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const outcomes: Outcome[] = [];
    try {
      this.db
        .transaction(() => {
          for (const { op } of batch) {
            try {
              outcomes.push({ ok: true, value: this.db.transaction(op)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      // The COMMIT itself failed: nothing of this batch is stored, so nobody gets a success.
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }
}
