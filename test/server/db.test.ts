import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { isStoreUnavailable, MIGRATIONS, openDatabase, StoreError } from '../../server-stub/db.ts';
import { corruptTable } from './store-faults.ts';

test('brings a store of an earlier schema up to date, keeping its events in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-db-'));
  try {
    // A store as the first schema left it: events keyed by AUTOINCREMENT, ids unique.
    const latest = MIGRATIONS.length;
    const db = new Database(join(dir, 'instant-key.sqlite'));
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.exec(`INSERT INTO events (event_id, event_type, occurred_at, device_id) VALUES ('e1', 'instant_key.used', 5, 'a'), ('e2', 'instant_key.used', 5, 'b'), ('e3', 'instant_key.revoked', 9, NULL);`);
    db.close();

    const migrated = openDatabase(dir);
    assert.equal(migrated.pragma('user_version', { simple: true }), latest);
    assert.deepEqual(migrated.prepare('SELECT seq, event_id, device_id FROM events ORDER BY occurred_at, seq').all(), [
      { seq: 1, event_id: 'e1', device_id: 'a' },
      { seq: 2, event_id: 'e2', device_id: 'b' },
      { seq: 3, event_id: 'e3', device_id: null },
    ]);
    const schema = migrated.prepare("SELECT sql FROM sqlite_schema WHERE tbl_name = 'events'").pluck().all().join('\n');
    assert.doesNotMatch(schema, /AUTOINCREMENT|UNIQUE/);
    assert.match(schema, /events_by_time/);
    // New rows continue after the old ones.
    migrated.prepare("INSERT INTO events (event_id, event_type, occurred_at) VALUES ('e4', 'instant_key.used', 10)").run();
    assert.equal(migrated.prepare("SELECT seq FROM events WHERE event_id = 'e4'").pluck().get(), 4);
    migrated.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a store from a newer server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-db-'));
  try {
    const db = openDatabase(dir);
    db.pragma('user_version = 999');
    db.close();
    assert.throws(() => openDatabase(dir), /newer than this server/);
    // The refused store is left as it was.
    const reader = new Database(join(dir, 'instant-key.sqlite'), { readonly: true });
    assert.equal(reader.pragma('user_version', { simple: true }), 999);
    reader.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A store holding `rows` guests, closed (its WAL folded into the main file). */
function storeWithGuests(dir: string, rows = 200): void {
  const db = openDatabase(dir);
  const insert = db.prepare("INSERT INTO user_identities (user_identity_id, full_name, created_at) VALUES (?, 'Guest with a fairly long name to fill pages', 1)");
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`guest-${i}`);
  })();
  db.close();
}

const withDir = (run: (dir: string) => void | Promise<void>) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-db-'));
  try {
    await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test(
  'holds DATA_DIR exclusively while open: a second opening is refused by name, and the lock goes with the connection',
  withDir((dir) => {
    const first = openDatabase(dir);
    assert.throws(() => openDatabase(dir), (err: unknown) => err instanceof StoreError && /DATA_DIR .* is in use by another server/.test(err.message));
    // The refused opening left the first one whole.
    first.prepare("INSERT INTO user_identities (user_identity_id, created_at) VALUES ('still-mine', 1)").run();
    first.close();
    const second = openDatabase(dir);
    assert.equal(second.prepare("SELECT count(*) FROM user_identities WHERE user_identity_id = 'still-mine'").pluck().get(), 1);
    second.close();
  }),
);

test(
  'refuses a store whose pages are damaged, naming the file, and lets go of DATA_DIR',
  withDir((dir) => {
    storeWithGuests(dir);
    corruptTable(dir, 'user_identities');
    assert.throws(
      () => openDatabase(dir),
      (err: unknown) => err instanceof StoreError && err.message.includes(join(dir, 'instant-key.sqlite')) && /is corrupt .*Restore it from a backup/.test(err.message),
    );
    rmSync(join(dir, 'instant-key.sqlite'));
    openDatabase(dir).close(); // not locked out by the refused attempt
  }),
);

test(
  'refuses a file that is not a SQLite database',
  withDir((dir) => {
    writeFileSync(join(dir, 'instant-key.sqlite'), 'not a database, just some bytes that happen to be here '.repeat(100));
    assert.throws(() => openDatabase(dir), (err: unknown) => err instanceof StoreError && /is corrupt/.test(err.message));
  }),
);

test(
  'fails a write at once while another connection holds the write lock',
  withDir((dir) => {
    const db = openDatabase(dir);
    const other = new Database(join(dir, 'instant-key.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      let error: unknown;
      try {
        db.transaction(() => db.prepare("INSERT INTO user_identities (user_identity_id, created_at) VALUES ('x', 1)").run()).immediate();
      } catch (e) {
        error = e;
      }
      assert.ok(isStoreUnavailable(error), String(error));
      assert.ok(performance.now() - started < 2000, 'no busy wait (it was 5 s)');
      // Reads go on (WAL).
      assert.equal(db.prepare('SELECT count(*) FROM user_identities').pluck().get(), 0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      db.close();
    }
  }),
);

test(
  'names a damaged lock file as such, not the store',
  withDir((dir) => {
    openDatabase(dir).close();
    writeFileSync(join(dir, 'instant-key.lock'), 'garbage that is not a SQLite database '.repeat(200));
    assert.throws(() => openDatabase(dir), (err: unknown) => err instanceof StoreError && /instant-key\.lock is damaged .*remove it once no server uses DATA_DIR/.test(err.message));
    rmSync(join(dir, 'instant-key.lock'));
    openDatabase(dir).close();
  }),
);
