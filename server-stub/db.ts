import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeDevice } from './device-description.ts';

/** The server's SQLite handle. */
export type Db = Database.Database;

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
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'instant-key.sqlite');
  const db = new Database(file);
  // The file holds lock keys: readable by the server's user only.
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: Db): void {
  db.function('ik_describe_device', { deterministic: true }, (ua) => describeDevice(typeof ua === 'string' ? ua : undefined) ?? null);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema version ${current} is newer than this server (${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
