import { statement, type Db } from '../db.ts';

/*
 * Per lock: the credentials revoked while a ticket carrying them may still be live on that
 * lock, and the latest lock update sealed from them (docs/protocol.md, "Revocation"). The
 * tables are created on first use with IF NOT EXISTS, so that this store needs no step in
 * db.ts's migration list; they hold nothing another table refers to.
 */

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS lock_revocations (
    lock_id TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    -- Unix ms after which no ticket carrying the credential opens the lock (skew included).
    until INTEGER NOT NULL,
    PRIMARY KEY (lock_id, credential_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS lock_updates (
    lock_id TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL,
    lock_update BLOB NOT NULL,
    sealed_at INTEGER NOT NULL
  );`;

const ready = new WeakSet<Db>();

function ensureSchema(db: Db): void {
  if (ready.has(db)) return;
  db.exec(SCHEMA);
  ready.add(db);
}

/** Adds (or extends) a lock's revocation entries. Call inside the revoking transaction. */
export function addRevocations(db: Db, entries: readonly { lock_id: string; credential_id: string; until: number }[]): void {
  ensureSchema(db);
  const insert = statement(
    db,
    `INSERT INTO lock_revocations (lock_id, credential_id, until) VALUES (@lock_id, @credential_id, @until)
       ON CONFLICT (lock_id, credential_id) DO UPDATE SET until = max(until, excluded.until)`,
  );
  for (const entry of entries) insert.run(entry);
}

/** Drops a lock's entries that ended by `now`; returns those left, latest-ending first. */
export function liveRevocations(db: Db, lockId: string, now: number): string[] {
  ensureSchema(db);
  statement(db, 'DELETE FROM lock_revocations WHERE lock_id = ? AND until <= ?').run(lockId, now);
  return statement(db, 'SELECT credential_id FROM lock_revocations WHERE lock_id = ? ORDER BY until DESC, credential_id', true).all(
    lockId,
  ) as string[];
}

/** The sequence of a lock's latest update; 0 when it has none. */
export function latestSequence(db: Db, lockId: string): number {
  ensureSchema(db);
  return (statement(db, 'SELECT sequence FROM lock_updates WHERE lock_id = ?', true).get(lockId) as number | undefined) ?? 0;
}

export function saveLockUpdate(db: Db, lockId: string, sequence: number, lockUpdate: Uint8Array, now: number): void {
  ensureSchema(db);
  statement(
    db,
    `INSERT INTO lock_updates (lock_id, sequence, lock_update, sealed_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (lock_id) DO UPDATE SET sequence = excluded.sequence, lock_update = excluded.lock_update, sealed_at = excluded.sealed_at`,
  ).run(lockId, sequence, Buffer.from(lockUpdate), now);
}

/** Each lock's latest sealed update, for the locks asked about that have one. */
export function latestLockUpdates(db: Db, lockIds: readonly string[]): Map<string, Buffer> {
  ensureSchema(db);
  const found = new Map<string, Buffer>();
  const select = statement(db, 'SELECT lock_update FROM lock_updates WHERE lock_id = ?', true);
  for (const lockId of new Set(lockIds)) {
    const blob = select.get(lockId) as Buffer | undefined;
    if (blob) found.set(lockId, blob);
  }
  return found;
}
