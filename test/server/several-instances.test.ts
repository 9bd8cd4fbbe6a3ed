// Several server instances on one PostgreSQL database (TEST_STORE=postgres): nothing one
// instance holds in memory lets it serve what the database no longer allows, admissions are
// exact however the requests are spread, a proof is accepted once across instances, start-up
// migrates once, and kill -9 of an instance loses nothing it promised.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { SCHEMA_VERSION } from '../../server-stub/store/postgres/migrations.ts';
import { dpopProof } from '../../src/credentials/dpop.ts';
import { startChild } from './child-server.ts';
import { API_KEY, freshDatabaseUrl, postgresOnly, TestServer } from './helpers.ts';

const PUBLIC = 'https://keys.hotel.example';

/** Two instances on one fresh database, behind one public URL. */
async function twoInstances(): Promise<{ a: TestServer; b: TestServer; url: string }> {
  const url = await freshDatabaseUrl();
  const [a, b] = await Promise.all([TestServer.start({ databaseUrl: url, publicBaseUrl: PUBLIC }), TestServer.start({ databaseUrl: url, publicBaseUrl: PUBLIC })]);
  return { a: a!, b: b!, url };
}

async function sql<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('several instances on one PostgreSQL database', postgresOnly, () => {
  let a: TestServer;
  let b: TestServer;
  let url: string;
  before(async () => ({ a, b, url } = await twoInstances()));
  after(async () => {
    await a?.close();
    await b?.close();
  });

  test('a key revoked on A gets 410 on the very next request to B', async () => {
    const { key, token } = await a.guest();
    // B has served the key (and may keep its plan) before the revocation.
    assert.equal((await b.credentials(token)).status, 200);
    assert.equal((await b.credentials(token)).status, 200);
    assert.equal((await a.post('/instant_keys/delete', { instant_key_id: key.instant_key_id })).status, 200);
    const next = await b.credentials(token);
    assert.equal(next.status, 410);
    assert.equal(next.body.error.type, 'instant_key_revoked');
    // Nor does a new device get in through B.
    assert.equal((await b.credentials(token, {}, 'another-phone')).status, 410);
  });

  test('a grant deleted on A is missing from B’s next answer', async () => {
    const { identity, grant, token } = await a.guest();
    const spa = await a.ok('/acs/entrances/create', { display_name: 'Spa', kind: 'amenity' }, 'acs_entrance');
    const second = await a.ok(
      '/access_grants/create',
      {
        user_identity_id: identity.user_identity_id,
        acs_entrance_ids: [spa.acs_entrance_id],
        starts_at: new Date(a.clock.ms - 60_000).toISOString(),
        ends_at: new Date(a.clock.ms + 86_400_000).toISOString(),
        requested_access_methods: [{ mode: 'mobile_key' }],
      },
      'access_grant',
    );
    const before = await b.credentials(token);
    assert.deepEqual(before.body.credentials.map((c: any) => c.entrance.display_name).sort(), ['Door 0', 'Spa']);
    assert.equal((await b.credentials(token, { 'if-none-match': before.headers.get('etag')! })).status, 304, 'B reuses its plan while it is current');
    assert.equal((await a.post('/access_grants/delete', { access_grant_id: second.access_grant_id })).status, 200);
    const afterDelete = await b.credentials(token, { 'if-none-match': before.headers.get('etag')! });
    assert.equal(afterDelete.status, 200, 'a new plan, not the cached one');
    assert.deepEqual(afterDelete.body.credentials.map((c: any) => c.entrance.display_name), ['Door 0']);
    // A grant change on A reaches B too.
    await a.post('/access_grants/update', { access_grant_id: grant.access_grant_id, ends_at: new Date(a.clock.ms + 3_600_000).toISOString() });
    const changed = await b.credentials(token);
    assert.equal(changed.body.credentials[0].ends_at, new Date(a.clock.ms + 3_600_000).toISOString());
  });

  test('a DPoP proof accepted by A is refused by B', async () => {
    const { token } = await a.guest();
    const proof = await a.proof(token, 'phone');
    const first = await a.request('GET', '/instant_keys/credentials', { headers: { authorization: `Bearer ${token}`, dpop: proof } });
    assert.equal(first.status, 200);
    const replay = await b.request('GET', '/instant_keys/credentials', { headers: { authorization: `Bearer ${token}`, dpop: proof } });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.type, 'dpop_proof_replayed');
  });

  test('a DPoP nonce issued by A is accepted by B', async () => {
    const { token } = await a.guest();
    // A proof an hour old (the phone's clock is off) is answered with a nonce ...
    const stale = await a.request('GET', '/instant_keys/credentials', {
      headers: { authorization: `Bearer ${token}`, dpop: await a.proof(token, 'skewed', { now: a.clock.ms - 3_600_000 }) },
    });
    assert.equal(stale.status, 401);
    const nonce = stale.headers.get('dpop-nonce')!;
    // ... which the phone signs with, and the load balancer sends to B.
    const retry = await b.request('GET', '/instant_keys/credentials', {
      headers: { authorization: `Bearer ${token}`, dpop: await b.proof(token, 'skewed', { now: a.clock.ms - 3_600_000, nonce }) },
    });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
  });

  test('100 keys with max_use_count 1, each tried by 6 new devices at once through both instances: exactly 100 admitted', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 100; i++) tokens.push((await a.guest({ key: { max_use_count: 1 } })).token);
    // Every proof signed before the first request goes out, so the requests race.
    const requests = await Promise.all(
      tokens.flatMap((token, k) =>
        Array.from({ length: 6 }, async (_, d) => {
          const via = d % 2 === 0 ? a : b;
          return { via, token, headers: { authorization: `Bearer ${token}`, dpop: await via.proof(token, `k${k}-d${d}`) } };
        }),
      ),
    );
    const answers = await Promise.all(requests.map(({ via, headers }) => via.request('GET', '/instant_keys/credentials', { headers })));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 100, `statuses: ${JSON.stringify(statuses.reduce<Record<number, number>>((n, s) => ((n[s] = (n[s] ?? 0) + 1), n), {}))}`);
    assert.equal(statuses.filter((s) => s === 403).length, 500);
    const devices = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM instant_key_devices d JOIN instant_keys k USING (instant_key_id) WHERE k.max_use_count = 1 GROUP BY d.instant_key_id');
    assert.equal(devices.length, 100);
    assert.ok(devices.every((d) => d.n === 1), 'one device per key in the database');
  });
});

describe('instances starting together', postgresOnly, () => {
  test('migrate the database once', async () => {
    const url = await freshDatabaseUrl();
    const servers = await Promise.all(Array.from({ length: 3 }, () => TestServer.start({ databaseUrl: url, publicBaseUrl: PUBLIC })));
    try {
      const applied = await sql<{ version: number }>(url, 'SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(applied.map((r) => r.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
      // All three serve the one store.
      const { token } = await servers[0]!.guest();
      for (const s of servers) assert.equal((await s.credentials(token, {}, 'phone')).status, 200);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe('kill -9 of an instance under load', postgresOnly, () => {
  test('loses no admission and no acknowledged write', async () => {
    const url = await freshDatabaseUrl();
    const env = { DATABASE_URL: url, API_KEY, PUBLIC_BASE_URL: PUBLIC, LOG_LEVEL: 'fatal' };
    const victim = await startChild(env);
    const local = /listening on (\S+?);/.exec(victim.output())![1]!;
    const admin = (path: string, body: unknown) =>
      fetch(`${local}${path}`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const identity = (await admin('/user_identities/create', { full_name: 'Load' })).user_identity;
    const door = (await admin('/acs/entrances/create', { display_name: 'Door', kind: 'guest_room' })).acs_entrance;
    await admin('/access_grants/create', {
      user_identity_id: identity.user_identity_id,
      acs_entrance_ids: [door.acs_entrance_id],
      requested_access_methods: [{ mode: 'mobile_key' }],
    });
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) keys.push((await admin('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id })).instant_key.instant_key_url.split('#')[1]);

    // The key index of each use answered 200: first uses (an admission each), repeat uses.
    const admitted: number[] = [];
    const used: number[] = [];
    const created: string[] = [];
    let stop = false;
    const htu = `${PUBLIC}/instant_keys/credentials`;
    const device = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const k = (w * 7 + n) % keys.length;
        const token = keys[k]!;
        const keysOf = await device();
        try {
          // A first use (a new device), then a repeat use by it.
          for (const repeat of [false, true]) {
            const res = await fetch(`${local}/instant_keys/credentials`, { headers: { authorization: `Bearer ${token}`, dpop: await dpopProof(keysOf, { htm: 'GET', htu, token }) } });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`status ${res.status}`);
            if (repeat) used.push(k);
            else admitted.push(k);
          }
          const res = await admin('/user_identities/create', { full_name: `Guest ${w}-${n}` });
          if (res.ok) created.push(res.user_identity.user_identity_id);
        } catch {
          return; // the instance died under this request
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    while (admitted.length < 60) await new Promise((resolve) => setImmediate(resolve));
    victim.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await victim.exited;

    const devices = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM instant_key_devices');
    assert.ok(devices[0]!.n >= admitted.length, `${devices[0]!.n} devices stored, ${admitted.length} admissions answered`);
    const usedEvents = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM events WHERE event_type = 'instant_key.used'");
    assert.ok(usedEvents[0]!.n >= admitted.length + used.length, 'every use answered 200 was recorded');
    const identities = await sql<{ user_identity_id: string }>(url, 'SELECT user_identity_id FROM user_identities WHERE user_identity_id = ANY($1)', [created]);
    assert.equal(identities.length, created.length, 'every acknowledged admin write is stored');

    // A fresh instance serves on: the store is whole.
    const next = await TestServer.start({ databaseUrl: url, publicBaseUrl: PUBLIC });
    try {
      assert.equal((await next.credentials(keys[0]!, {}, 'after-restart')).status, 200);
    } finally {
      await next.close();
    }
  });
});
