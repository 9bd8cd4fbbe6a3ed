import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from '../../server-stub/db.ts';
import { WriteBatch } from '../../server-stub/write-batch.ts';

let dir: string;
let db: Db;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ik-write-batch-'));
  db = openDatabase(dir);
  // The schema into the main file, so that a copy of that file alone can be read.
  db.pragma('wal_checkpoint(TRUNCATE)');
});
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (id: string) => () => db.prepare('INSERT INTO user_identities (user_identity_id, created_at) VALUES (?, 0)').run(id).changes;

test('commits operations queued together in one transaction, each settling after the commit', async () => {
  const batch = new WriteBatch(db);
  const reader = new Database(join(dir, 'instant-key.sqlite'), { readonly: true });
  try {
    const seenByAnotherConnection = (id: string) => reader.prepare('SELECT count(*) FROM user_identities WHERE user_identity_id = ?').pluck().get(id);
    const settled = await Promise.all(['a1', 'a2', 'a3'].map((id) => batch.run(insert(id)).then(() => seenByAnotherConnection(id))));
    assert.deepEqual(settled, [1, 1, 1], 'each caller resolves only once its write is committed');
  } finally {
    reader.close();
  }
});

test('rolls back a failing operation alone and rejects only its caller', async () => {
  const batch = new WriteBatch(db);
  const failing = () => {
    insert('b2')();
    throw new Error('refused');
  };
  const outcomes = await Promise.allSettled([batch.run(insert('b1')), batch.run(failing), batch.run(insert('b3'))]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  const stored = db.prepare("SELECT user_identity_id FROM user_identities WHERE user_identity_id LIKE 'b%' ORDER BY 1").pluck().all();
  assert.deepEqual(stored, ['b1', 'b3']);
});

test('commits what is queued when flushed before the store closes', async () => {
  const batch = new WriteBatch(db);
  const pending = batch.run(insert('c1'));
  batch.flush();
  assert.equal(db.prepare("SELECT count(*) FROM user_identities WHERE user_identity_id = 'c1'").pluck().get(), 1);
  assert.equal(await pending, 1);
});

/**
 * What a copy of the main database file alone holds: a batch is there once a checkpoint has
 * synced the WAL and copied it back, which is how WriteBatch puts a batch on disk.
 */
function inMainFile(id: string): number {
  const copy = mkdtempSync(join(tmpdir(), 'ik-write-batch-copy-'));
  try {
    copyFileSync(join(dir, 'instant-key.sqlite'), join(copy, 'copy.sqlite'));
    const reader = new Database(join(copy, 'copy.sqlite'), { readonly: true });
    try {
      return reader.prepare('SELECT count(*) FROM user_identities WHERE user_identity_id = ?').pluck().get(id) as number;
    } finally {
      reader.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

test('puts a batch on disk before settling when an operation says its result must be durable', async () => {
  const batch = new WriteBatch(db, { syncDelayMs: 60_000 });
  await batch.run(insert('d1'));
  assert.equal(inMainFile('d1'), 0, 'a plain batch is committed to the WAL, not yet checkpointed');
  await batch.run(insert('d2'), (changes) => changes === 1);
  assert.equal(inMainFile('d2'), 1);
  assert.equal(inMainFile('d1'), 1, 'the sync takes the batches before it along');
  batch.close();
});

test('puts plain batches on disk within the sync delay, and at once on close', async () => {
  const batch = new WriteBatch(db, { syncDelayMs: 50 });
  await batch.run(insert('e1'));
  assert.equal(inMainFile('e1'), 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(inMainFile('e1'), 1);

  const closing = new WriteBatch(db, { syncDelayMs: 60_000 });
  const pending = closing.run(insert('e2'));
  closing.close();
  assert.equal(inMainFile('e2'), 1);
  assert.equal(await pending, 1);
});

test('leaves the connection at synchronous=FULL for every other write', async () => {
  const batch = new WriteBatch(db);
  await batch.run(insert('f1'));
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  batch.close();
});
