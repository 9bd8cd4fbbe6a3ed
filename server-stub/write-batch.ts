import { statement, type Db } from './db.ts';

interface Pending {
  op: () => unknown;
  durable: ((value: unknown) => boolean) | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How long a committed batch may stay out of the disk's reach, by default (see WriteBatch). */
const SYNC_DELAY_MS = 1000;

/**
 * Group commit for the credential endpoint's writes: the operations queued during one turn
 * of the event loop run in a single transaction, and a caller's promise settles only after
 * that COMMIT has returned. Each operation runs in its own savepoint: one that throws is
 * rolled back alone and rejects only its own caller.
 *
 * Durability. The connection's default, `synchronous=FULL`, flushes the WAL to disk at
 * every commit, which on the credential endpoint would put a disk flush in every request's
 * path. A batch instead commits with `synchronous=NORMAL`: the commit is in the WAL file
 * and survives the process being killed (SIGKILL, a crash); the disk flush follows within
 * `syncDelayMs` (one second by default; a passive checkpoint), or at once when an operation's result is
 * `durable` (a device admitted for the first time changes who may use a key, so it must
 * survive a power loss too before it is answered). Any later FULL commit, an admin write
 * for instance, flushes the batches before it as well.
 */
export class WriteBatch {
  private queue: Pending[] = [];
  private syncTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly options: { syncDelayMs?: number } = {},
  ) {}

  /**
   * Runs `op` inside the next group transaction; resolves with its result once committed,
   * and once on disk if `durable` says so of the result.
   */
  run<T>(op: () => T, durable?: (value: T) => boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Requests parsed in the same poll phase join before the check phase flushes them.
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ op, durable: durable as Pending['durable'], resolve: resolve as Pending['resolve'], reject });
    });
  }

  /** Commits whatever is queued now. */
  flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const outcomes: Outcome[] = [];
    // Prepared savepoint statements: a `db.transaction` wrapper per operation costs several
    // times more than the operation's own queries.
    const savepoint = statement(this.db, 'SAVEPOINT batch_op');
    const release = statement(this.db, 'RELEASE batch_op');
    const rollback = statement(this.db, 'ROLLBACK TO batch_op');
    statement(this.db, 'PRAGMA synchronous = NORMAL').run();
    try {
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
      // The COMMIT itself failed: nothing of this batch is stored, so nobody gets a success.
      for (const { reject } of batch) reject(error);
      return;
    } finally {
      statement(this.db, 'PRAGMA synchronous = FULL').run();
    }
    if (batch.some(({ durable }, i) => durable && outcomes[i]!.ok && durable((outcomes[i] as { value: unknown }).value))) this.sync();
    else this.syncTimer ??= setTimeout(() => this.sync(), this.options.syncDelayMs ?? SYNC_DELAY_MS).unref();
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }

  /** Commits what is queued and flushes it to disk (before the store closes). */
  close(): void {
    this.flush();
    this.sync();
  }

  /** Flushes the batches committed so far to disk: a checkpoint syncs the WAL first. */
  private sync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    statement(this.db, 'PRAGMA wal_checkpoint(PASSIVE)').run();
  }
}
