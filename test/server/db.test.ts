import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, openDatabase } from '../../server-stub/db.ts';

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
