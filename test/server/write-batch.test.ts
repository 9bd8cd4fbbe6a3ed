import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, StoreClosedError, type Db } from '../../server-stub/db.ts';
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

test('commits a batch holding a durable operation with synchronous=FULL, a plain one with NORMAL', async () => {
  const batch = new WriteBatch(db, { syncDelayMs: 60_000 });
  // The level in effect inside a batch's transaction is the one its COMMIT uses.
  const level = () => db.pragma('synchronous', { simple: true });
  const plain = await batch.run(level);
  const [durable, alongside] = await Promise.all([batch.run(level, { durable: true }), batch.run(level)]);
  assert.equal(plain, 1, 'NORMAL');
  assert.equal(durable, 2, 'FULL');
  assert.equal(alongside, 2, 'a plain operation in the same batch shares its FULL commit');
  batch.close();
});

/** Whether `condition` comes true within `ms`, checked every 20 ms (a busy CI machine may be late). */
async function within(ms: number, condition: () => boolean): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (condition()) return true;
  }
  return condition();
}

test('puts plain batches on disk within the sync delay, and at once on close', async () => {
  const batch = new WriteBatch(db, { syncDelayMs: 50 });
  await batch.run(insert('e1'));
  assert.equal(inMainFile('e1'), 0);
  assert.ok(await within(2000, () => inMainFile('e1') === 1), 'on disk after the delay');

  const closing = new WriteBatch(db, { syncDelayMs: 60_000 });
  const pending = closing.run(insert('e2'));
  closing.close();
  assert.equal(inMainFile('e2'), 1);
  assert.equal(await pending, 1);
});

test('retries the sync while another connection holds an older snapshot', async () => {
  const batch = new WriteBatch(db, { syncDelayMs: 50 });
  const reader = new Database(join(dir, 'instant-key.sqlite'), { readonly: true });
  try {
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM user_identities').get(); // takes the snapshot
    await batch.run(insert('g1'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(inMainFile('g1'), 0, 'the snapshot holds the checkpoint back');
    reader.exec('COMMIT');
    assert.ok(await within(2000, () => inMainFile('g1') === 1), 'synced once the snapshot is gone');
  } finally {
    reader.close();
    batch.close();
  }
});

test('leaves the connection at synchronous=FULL for every other write', async () => {
  const batch = new WriteBatch(db);
  await batch.run(insert('f1'));
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  batch.close();
});

test('refuses writes once closed, and once its store is closed under it, without throwing', async () => {
  const batch = new WriteBatch(db);
  batch.close();
  await assert.rejects(batch.run(insert('after-close')), StoreClosedError);

  // A store closed with a batch still queued: the queued write is refused, the process lives on.
  const ownDir = mkdtempSync(join(tmpdir(), 'ik-write-batch-closed-'));
  try {
    const own = openDatabase(ownDir);
    const orphan = new WriteBatch(own);
    const queued = orphan.run(() => own.prepare("INSERT INTO user_identities (user_identity_id, created_at) VALUES ('q', 0)").run());
    own.close();
    await assert.rejects(queued, StoreClosedError);
    await assert.rejects(orphan.run(() => 1), StoreClosedError);
    orphan.close(); // nothing left to do, and no throw
  } finally {
    rmSync(ownDir, { recursive: true, force: true });
  }
});
