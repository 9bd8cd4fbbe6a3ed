import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeDevice } from './device-description.ts';

/** The server's SQLite handle. */
export type Db = Database.Database;

/** A store that cannot be served: held by another process, corrupt, or from a newer server. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** A write attempted after the store was closed (the server is shutting down). */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
  constructor() {
    super('The store is closed');
  }
}

/**
 * Whether `error` means the store cannot take this request now but may soon: another process
 * holds a lock on it (SQLite gives up at once instead of blocking every route), PostgreSQL is
 * unreachable or busy, or the server is shutting down. The request is answered 503 with `Retry-After`.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreClosedError) return true;
  if (error instanceof TypeError) return /database connection is not open/.test(error.message);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || POSTGRES_UNAVAILABLE.has(code));
}

/**
 * PostgreSQL's "not now" errors (the DATABASE_URL store): its server unreachable, shutting
 * down, starting, out of connections, or a connection lost; the request may be retried.
 */
const POSTGRES_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006', '40001', '40P01']);

const prepared = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * `sql` prepared once per connection and reused: on the credential endpoint's hot path,
 * preparing costs more than running. With `pluck`, the statement returns first columns.
 */
export function statement(db: Db, sql: string, pluck = false): Database.Statement {
  let cache = prepared.get(db);
  if (!cache) prepared.set(db, (cache = new Map()));
  const key = `${pluck ? 'p' : 'r'}:${sql}`;
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (pluck) stmt.pluck();
    cache.set(key, stmt);
  }
  return stmt;
}

/** Schema steps; `PRAGMA user_version` records how many have run. Append, never edit. */
export const MIGRATIONS: string[] = [
  `CREATE TABLE user_identities (
     user_identity_id TEXT PRIMARY KEY,
     user_identity_key TEXT UNIQUE,
     full_name TEXT,
     email_address TEXT,
     phone_number TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE acs_entrances (
     acs_entrance_id TEXT PRIMARY KEY,
     display_name TEXT NOT NULL,
     kind TEXT NOT NULL,
     lock_id TEXT NOT NULL UNIQUE,
     ble_name TEXT NOT NULL,
     lock_key BLOB NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE access_grants (
     access_grant_id TEXT PRIMARY KEY,
     user_identity_id TEXT NOT NULL REFERENCES user_identities ON DELETE CASCADE,
     starts_at INTEGER NOT NULL,
     ends_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     CHECK (ends_at > starts_at)
   );
   CREATE INDEX access_grants_by_identity ON access_grants (user_identity_id);
   CREATE TABLE access_grant_entrances (
     access_grant_id TEXT NOT NULL REFERENCES access_grants ON DELETE CASCADE,
     acs_entrance_id TEXT NOT NULL REFERENCES acs_entrances,
     position INTEGER NOT NULL,
     PRIMARY KEY (access_grant_id, acs_entrance_id)
   );
   CREATE INDEX access_grant_entrances_by_entrance ON access_grant_entrances (acs_entrance_id);
   -- Keys outlive their identity (revoked, for the audit trail), so no foreign key here.
   CREATE TABLE instant_keys (
     instant_key_id TEXT PRIMARY KEY,
     token_hash BLOB NOT NULL UNIQUE,
     user_identity_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     max_use_count INTEGER,
     revoked_at INTEGER,
     customization TEXT NOT NULL
   );
   CREATE INDEX instant_keys_by_identity ON instant_keys (user_identity_id);
   CREATE TABLE instant_key_devices (
     instant_key_id TEXT NOT NULL REFERENCES instant_keys,
     device_id TEXT NOT NULL,
     first_used_at INTEGER NOT NULL,
     PRIMARY KEY (instant_key_id, device_id)
   );
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     event_id TEXT NOT NULL UNIQUE,
     event_type TEXT NOT NULL,
     occurred_at INTEGER NOT NULL,
     instant_key_id TEXT,
     user_identity_id TEXT,
     access_grant_id TEXT,
     device_id TEXT,
     user_agent TEXT,
     reason TEXT
   );
   CREATE INDEX events_by_time ON events (occurred_at, seq);`,
  // Events are an append-only log written on every credential request: a plain rowid key
  // (AUTOINCREMENT rewrote its counter row on every insert; rows are never deleted, so rowids
  // still only grow), and no unique index on event_id (random UUIDs: 122 bits make a collision moot). Each
  // group commit then writes two fewer pages.
  `CREATE TABLE events_v2 (
     seq INTEGER PRIMARY KEY,
     event_id TEXT NOT NULL,
     event_type TEXT NOT NULL,
     occurred_at INTEGER NOT NULL,
     instant_key_id TEXT,
     user_identity_id TEXT,
     access_grant_id TEXT,
     device_id TEXT,
     user_agent TEXT,
     reason TEXT
   );
   INSERT INTO events_v2 SELECT seq, event_id, event_type, occurred_at, instant_key_id, user_identity_id, access_grant_id, device_id, user_agent, reason FROM events;
   DROP TABLE events;
   ALTER TABLE events_v2 RENAME TO events;
   CREATE INDEX events_by_time ON events (occurred_at, seq);`,
  // Seam compatibility (README, "Seam compatibility"): grant names and keys, customization
  // profiles, a workspace id, per-key ticket lifetimes and stay details, entrance details,
  // events per entrance. Open-ended grants keep ends_at NOT NULL with a far-future sentinel
  // (store/grants.ts), which spares rebuilding a table other tables reference.
  `ALTER TABLE acs_entrances ADD COLUMN floor TEXT;
   ALTER TABLE acs_entrances ADD COLUMN room_type TEXT;
   ALTER TABLE acs_entrances ADD COLUMN hours TEXT;
   ALTER TABLE acs_entrances ADD COLUMN location TEXT;
   ALTER TABLE access_grants ADD COLUMN name TEXT;
   ALTER TABLE access_grants ADD COLUMN access_grant_key TEXT;
   ALTER TABLE access_grants ADD COLUMN customization_profile_id TEXT;
   ALTER TABLE access_grants ADD COLUMN instant_key_max_use_count INTEGER;
   CREATE UNIQUE INDEX access_grants_by_key ON access_grants (access_grant_key);
   ALTER TABLE instant_keys ADD COLUMN customization_profile_id TEXT;
   ALTER TABLE instant_keys ADD COLUMN ticket_ttl_s INTEGER;
   ALTER TABLE instant_keys ADD COLUMN check_in_at INTEGER;
   ALTER TABLE instant_keys ADD COLUMN check_out_at INTEGER;
   ALTER TABLE instant_keys ADD COLUMN time_zone TEXT;
   CREATE INDEX user_identities_by_email ON user_identities (email_address COLLATE NOCASE);
   CREATE INDEX user_identities_by_phone ON user_identities (phone_number);
   ALTER TABLE events ADD COLUMN acs_entrance_id TEXT;
   ALTER TABLE events ADD COLUMN details TEXT;
   CREATE INDEX events_by_grant ON events (access_grant_id);
   UPDATE events SET event_type = 'access_grant.access_times_changed' WHERE event_type = 'access_grant.updated';
   CREATE TABLE workspace (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), workspace_id TEXT NOT NULL);
   CREATE TABLE customization_profiles (
     customization_profile_id TEXT PRIMARY KEY,
     name TEXT,
     fields TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // Events keep a device's browser and OS family, no longer its raw User-Agent (a
  // fingerprint): rows already stored are reduced to the family too.
  `ALTER TABLE events RENAME COLUMN user_agent TO device_description;
   UPDATE events SET device_description = ik_describe_device(device_description) WHERE device_description IS NOT NULL;`,
];

/**
 * Opens (creating if needed) the store in `dataDir` and brings its schema up to date.
 * WAL with `synchronous=FULL`: a write is on disk when its transaction returns, so whatever
 * the API acknowledged survives a crash, SIGKILL or a power loss. The credential endpoint's
 * usage records are the one exception, flushed to disk within a second (see WriteBatch).
 *
 * One writer per store: the connection holds an exclusive lock on `DATA_DIR` (see
 * {@link lockDataDir}) until it is closed or the process dies, and a second process is refused
 * with a {@link StoreError}. A store that fails SQLite's integrity check is refused too.
 * `busy_timeout` is 0: when something else holds the store's write lock (an operator's
 * `sqlite3` shell, say), a write fails at once with SQLITE_BUSY rather than blocking the event
 * loop, so only that request fails (503) and every other route keeps answering.
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'instant-key.sqlite');
  let db: Db | undefined;
  try {
    db = new Database(file);
    db.pragma('busy_timeout = 0');
    lockDataDir(db, dataDir);
    // The file holds lock keys: readable by the server's user only.
    chmodSync(file, 0o600);
    db.pragma('main.journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    checkIntegrity(db, file);
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw corruption(error, file) ?? error;
  }
}

/**
 * Takes the exclusive lock on `dataDir`: its file `instant-key.lock`, a tiny SQLite database
 * attached to the store's connection in `EXCLUSIVE` locking mode and written once, so that
 * the connection keeps SQLite's exclusive lock on it until the connection closes. The lock is
 * an OS file lock, which the kernel drops when the process dies (SIGKILL, a crash, a power
 * loss): no stale lock to clean up, and no pid to mistake for a live process after a restart
 * (in a container the server is often pid 1 every time). The store file itself stays readable
 * by backups and `sqlite3`.
 */
function lockDataDir(db: Db, dataDir: string): void {
  const lockFile = join(dataDir, 'instant-key.lock');
  // The store's own header first (ATTACH reads it too): a store that is not a database is
  // reported as the store, not as the lock file.
  db.pragma('schema_version');
  try {
    // ATTACH reads the file's schema: it fails already while another process holds the lock.
    db.prepare('ATTACH DATABASE ? AS data_dir_lock').run(lockFile);
    chmodSync(lockFile, 0o600);
    db.pragma('data_dir_lock.locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS data_dir_lock.holder (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, since INTEGER NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO data_dir_lock.holder VALUES (1, ?, ?)').run(process.pid, Date.now());
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError(`${lockFile} is damaged (it holds nothing but the lock): remove it once no server uses DATA_DIR ${dataDir}`);
    }
    if (!isStoreUnavailable(error)) throw error;
    throw new StoreError(
      `DATA_DIR ${dataDir} is in use by another server (it holds ${lockFile}). One process serves a SQLite store; stop the other one, or give this one its own DATA_DIR`,
    );
  }
}

/** Refuses a damaged store before it serves anything. */
function checkIntegrity(db: Db, file: string): void {
  // quick_check: every page and record, without cross-checking index contents (which
  // integrity_check adds at several times the cost on a large store).
  const problems = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
  if (problems.length === 1 && problems[0]!.quick_check === 'ok') return;
  throw new StoreError(
    `The store ${file} is corrupt (SQLite's integrity check: ${problems
      .slice(0, 3)
      .map((p) => p.quick_check)
      .join('; ')}). Restore it from a backup; the server will not serve a damaged store`,
  );
}

/** A {@link StoreError} for SQLite's "not a database" or "malformed" errors, else `null`. */
function corruption(error: unknown, file: string): StoreError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') return null;
  return new StoreError(`The store ${file} is corrupt (${(error as Error).message}). Restore it from a backup; the server will not serve a damaged store`);
}

function migrate(db: Db): void {
  db.function('ik_describe_device', { deterministic: true }, (ua) => describeDevice(typeof ua === 'string' ? ua : undefined) ?? null);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(`database schema version ${current} is newer than this server (${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
