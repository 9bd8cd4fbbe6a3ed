import { StoreClosedError, statement, type Db } from './db.ts';

interface Pending {
  op: () => unknown;
  durable: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Default of {@link WriteBatchOptions.syncDelayMs}. */
const SYNC_DELAY_MS = 1000;

/** Options of a {@link WriteBatch}. */
export interface WriteBatchOptions {
  /** How long a committed batch may stay out of the disk's reach; one second by default. */
  syncDelayMs?: number;
  /** Told of a failed background sync (it is retried). */
  onSyncError?: (error: unknown) => void;
}

/**
 * Group commit for the credential endpoint's writes: the operations queued during one turn
 * of the event loop run in a single transaction, and a caller's promise settles only after
 * that COMMIT has returned. Each operation runs in its own savepoint: one that throws is
 * rolled back alone and rejects only its own caller.
 *
 * Durability. The connection's default, `synchronous=FULL`, flushes the WAL to disk at
 * every commit, which on the credential endpoint would put a disk flush in every request's
 * path. A batch of plain operations commits with `synchronous=NORMAL` instead: the commit is
 * in the WAL file and survives the process being killed (SIGKILL, a crash), and a passive
 * checkpoint flushes it to disk within `syncDelayMs` (retried while another connection's
 * read snapshot holds it back). A batch holding a `durable` operation commits with FULL, as
 * does any admin write: either flushes the batches before it too.
 */
export class WriteBatch {
  private queue: Pending[] = [];
  private syncTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: WriteBatchOptions = {},
  ) {}

  /**
   * Runs `op` inside the next group transaction; resolves with its result once committed.
   * With `durable`, that commit also reaches the disk before the promise settles. Once the
   * batch is closed (or its store is), rejects with {@link StoreClosedError}.
   */
  run<T>(op: () => T, options: { durable?: boolean } = {}): Promise<T> {
    if (this.closed || !this.db.open) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      // Requests parsed in the same poll phase join before the check phase flushes them.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ op, durable: options.durable === true, resolve: resolve as Pending['resolve'], reject });
    });
  }

  /** Commits whatever is queued now. */
  flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    // Closed under the batch (the store closed without `close()` first): refuse, never throw
    // from the setImmediate callback, which would take the process down.
    if (!this.db.open) {
      for (const { reject } of batch) reject(new StoreClosedError());
      return;
    }
    const durable = batch.some((pending) => pending.durable);
    const outcomes: Outcome[] = [];
    try {
      if (!durable) statement(this.db, 'PRAGMA synchronous = NORMAL').run();
      // Prepared savepoint statements: a `db.transaction` wrapper per operation costs several
      // times more than the operation's own queries.
      const savepoint = statement(this.db, 'SAVEPOINT batch_op');
      const release = statement(this.db, 'RELEASE batch_op');
      const rollback = statement(this.db, 'ROLLBACK TO batch_op');
      this.db
        .transaction(() => {
          for (const { op } of batch) {
            savepoint.run();
            try {
              outcomes.push({ ok: true, value: op() });
            } catch (error) {
              rollback.run();
              outcomes.push({ ok: false, error });
            }
            release.run();
          }
        })
        .immediate();
    } catch (error) {
      // The transaction failed as a whole (its COMMIT, or SQLite abandoned it): nothing of
      // this batch is stored, so nobody gets a success.
      for (const { reject } of batch) reject(error);
      return;
    } finally {
      if (this.db.open) statement(this.db, 'PRAGMA synchronous = FULL').run();
    }
    if (durable) this.cancelSync();
    else this.scheduleSync();
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }

  /** Commits what is queued and flushes every batch to disk (before the store closes). */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.cancelSync();
    if (this.db.open) this.checkpoint();
  }

  /** Arms the background sync, unless it is armed already. */
  private scheduleSync(): void {
    this.syncTimer ??= setTimeout(() => this.syncInBackground(), this.options.syncDelayMs ?? SYNC_DELAY_MS).unref();
  }

  private cancelSync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  /**
   * A passive checkpoint: it syncs the WAL, then copies it into the main file. Returns
   * whether it got through all of it; a reader's older snapshot can hold it back, and then
   * nothing may have been synced.
   */
  private checkpoint(): boolean {
    const { log, checkpointed } = statement(this.db, 'PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number; checkpointed: number };
    return checkpointed >= log;
  }

  private syncInBackground(): void {
    this.syncTimer = null;
    if (this.closed || !this.db.open) return;
    let done = false;
    try {
      done = this.checkpoint();
    } catch (error) {
      this.options.onSyncError?.(error);
    }
    if (!done) this.scheduleSync();
  }
}
