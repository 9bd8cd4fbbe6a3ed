// The PostgreSQL store's own guarantees, on a real server: migrations run once however many
// instances start together, and a key's device limit holds exactly under concurrent first uses.
// Uses TEST_DATABASE_URL when given, else a throwaway cluster from scripts/postgres.mjs.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startPostgres } from '../../scripts/postgres.mjs';
import { migrate, SCHEMA_VERSION } from '../../server-stub/store/postgres/migrations.ts';

let cluster: { url: string; stop(): void } | undefined;
let url: string;
const pools: pg.Pool[] = [];

/** A fresh database per test file, so runs never see each other's rows. */
async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `ik_test_${randomUUID().replaceAll('-', '')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  // The URL's host may be empty (a unix socket given as ?host=), which URL() refuses.
  return url.replace(/^(postgres(?:ql)?:\/\/[^/]*)\/[^?]*/, `$1/${name}`);
}

function pool(connectionString: string, max = 10): pg.Pool {
  const p = new pg.Pool({ connectionString, max });
  pools.push(p);
  return p;
}

before(() => {
  if (process.env.TEST_DATABASE_URL) url = process.env.TEST_DATABASE_URL;
  else ({ url } = cluster = startPostgres());
});

after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  cluster?.stop();
});

const hash = (token: string) => createHash('sha256').update(token).digest();

async function seedKey(db: pg.Pool, maxUseCount: number | null): Promise<{ token: string; keyId: string }> {
  const identity = randomUUID();
  const keyId = randomUUID();
  const token = `ik_${randomUUID()}`;
  await db.query('INSERT INTO user_identities (user_identity_id, full_name, created_at) VALUES ($1, $2, 0)', [identity, 'Guest']);
  await db.query(
    `INSERT INTO instant_keys (instant_key_id, token_hash, user_identity_id, created_at, expires_at, max_use_count, customization)
     VALUES ($1, $2, $3, 0, $4, $5, '{}')`,
    [keyId, hash(token), identity, Date.now() + 86_400_000, maxUseCount],
  );
  return { token, keyId };
}

async function use(db: pg.Pool, token: string, device: string): Promise<string> {
  const { rows } = await db.query<{ outcome: string }>('SELECT outcome FROM ik_use_key($1, $2, $3, $4, $5, $6, NULL)', [
    hash(token),
    device,
    'Chrome on Android',
    Date.now(),
    randomUUID(),
    Date.now() + 60_000,
  ]);
  return rows[0]!.outcome;
}

describe('PostgreSQL store', () => {
  test('two instances starting together migrate once', async () => {
    const database = await freshDatabase();
    const [a, b] = [pool(database, 2), pool(database, 2)];
    const [ranA, ranB] = await Promise.all([migrate(a), migrate(b)]);
    assert.deepEqual([...ranA, ...ranB].sort(), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    const { rows } = await a.query('SELECT count(*)::int AS n FROM schema_migrations');
    assert.equal(rows[0].n, SCHEMA_VERSION);
    assert.deepEqual(await migrate(b), []);
  });

  test('admits exactly max_use_count devices under concurrent first uses from two instances', async () => {
    const database = await freshDatabase();
    const [a, b] = [pool(database, 20), pool(database, 20)];
    await migrate(a);
    const keys = await Promise.all(Array.from({ length: 100 }, () => seedKey(a, 1)));
    const outcomes = await Promise.all(
      keys.flatMap(({ token }) => Array.from({ length: 6 }, (_, i) => use(i % 2 ? a : b, token, `device-${i}`))),
    );
    assert.equal(outcomes.filter((o) => o === 'admitted').length, 100);
    assert.equal(outcomes.filter((o) => o === 'max_use_count_exceeded').length, 500);
    const { rows } = await a.query('SELECT instant_key_id, count(*)::int AS n FROM instant_key_devices GROUP BY 1 HAVING count(*) > 1');
    assert.deepEqual(rows, []);
  });

  test('an admitted device is admitted again, a revoked key refused on the next request from any instance', async () => {
    const database = await freshDatabase();
    const [a, b] = [pool(database), pool(database)];
    await migrate(a);
    const { token, keyId } = await seedKey(a, 1);
    assert.equal(await use(a, token, 'phone'), 'admitted');
    assert.equal(await use(b, token, 'phone'), 'admitted');
    assert.equal(await use(b, token, 'other-phone'), 'max_use_count_exceeded');
    await a.query('UPDATE instant_keys SET revoked_at = $1 WHERE instant_key_id = $2', [Date.now(), keyId]);
    assert.equal(await use(b, token, 'phone'), 'revoked');
    assert.equal(await use(a, 'ik_unknown', 'phone'), 'invalid');
    const jti = randomUUID();
    const once = (db: pg.Pool) => db.query('SELECT outcome FROM ik_use_key($1, $2, NULL, $3, $4, $5, NULL)', [hash(token), 'phone', Date.now(), jti, Date.now() + 60_000]);
    assert.equal((await once(a)).rows[0].outcome, 'revoked');
    assert.equal((await once(b)).rows[0].outcome, 'replayed', 'a proof is accepted once, whichever instance sees it');
    const { rows } = await a.query<{ event_type: string; reason: string | null }>('SELECT event_type, reason FROM events ORDER BY seq');
    assert.deepEqual(
      rows.map((r) => `${r.event_type}${r.reason ? `:${r.reason}` : ''}`),
      ['instant_key.used', 'instant_key.used', 'instant_key.use_denied:max_use_count_exceeded', 'instant_key.use_denied:revoked', 'instant_key.use_denied:revoked'],
    );
  });

  test('a grant change makes the plan version its keys report change, and sends the new plan', async () => {
    const database = await freshDatabase();
    const db = pool(database);
    await migrate(db);
    const { token } = await seedKey(db, null);
    const answer = async (known: string | null) =>
      (await db.query('SELECT version, plan FROM ik_use_key($1, $2, $3, $4, $5, $6, $7)', [hash(token), 'phone', null, Date.now(), randomUUID(), Date.now() + 60_000, known])).rows[0];
    const first = await answer(null);
    assert.notEqual(first.plan, null, 'no version named: the plan comes along');
    assert.equal((await answer(first.version)).plan, null, 'the current version named: no plan sent');
    const { rows } = await db.query('SELECT user_identity_id FROM instant_keys LIMIT 1');
    await db.query('INSERT INTO access_grants (access_grant_id, user_identity_id, starts_at, ends_at, created_at, updated_at) VALUES ($1, $2, 0, 1, 0, 0)', [randomUUID(), rows[0].user_identity_id]);
    const changed = await answer(first.version);
    assert.notEqual(changed.version, first.version);
    assert.notEqual(changed.plan, null, 'a stale version named: the new plan comes along');
    await db.query("UPDATE plan_epoch SET epoch = epoch + 1");
    assert.notEqual((await answer(changed.version)).version, changed.version, 'lock updates and profiles bump every version');
  });
});
