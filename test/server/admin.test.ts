import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64urlToBytes, bytesToBase64url } from '../../src/protocol/bytes.ts';
import { API_KEY, TestServer } from './helpers.ts';

describe('admin API', () => {
  let t: TestServer;
  before(async () => {
    t = await TestServer.start({ brand: { primary_color: '#112233', secondary_color: '#445566', logo_url: 'https://brand.example/logo.png' } });
  });
  after(() => t.close());

  describe('auth and routing', () => {
    test('refuses a missing or wrong API key with 401 unauthorized', async () => {
      const none = await t.request('GET', '/user_identities/list');
      assert.equal(none.status, 401);
      assert.equal(none.body.error.type, 'unauthorized');
      assert.equal(typeof none.body.error.message, 'string');
      const wrong = await t.request('GET', '/user_identities/list', { headers: { authorization: `Bearer ${API_KEY}x` } });
      assert.equal(wrong.status, 401);
      const basic = await t.request('GET', '/user_identities/list', { headers: { authorization: `Basic ${API_KEY}` } });
      assert.equal(basic.status, 401);
    });

    test('checks auth before input', async () => {
      const res = await t.request('POST', '/user_identities/create', { raw: '{not json', headers: {} });
      assert.equal(res.status, 401);
      const invalid = await t.request('POST', '/access_grants/create', { body: { starts_at: 'nope' } });
      assert.equal(invalid.status, 401);
    });

    test('answers other methods 405 and unknown routes 404 route_not_found', async () => {
      const put = await t.request('PUT', '/user_identities/list', { headers: { authorization: `Bearer ${API_KEY}` } });
      assert.equal(put.status, 405);
      assert.equal(put.body.error.type, 'method_not_allowed');
      const missing = await t.post('/nothing/here');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.type, 'route_not_found');
    });

    test('refuses a body that is not JSON or not an object', async () => {
      const bad = await t.request('POST', '/user_identities/create', { raw: '{"a":', headers: { authorization: `Bearer ${API_KEY}` } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.type, 'invalid_input');
      const array = await t.request('POST', '/user_identities/create', { raw: '[]', headers: { authorization: `Bearer ${API_KEY}` } });
      assert.equal(array.status, 400);
    });

    test('tags every answer with a request id', async () => {
      const ok = await t.query('GET', '/user_identities/list');
      const err = await t.request('GET', '/user_identities/list');
      assert.match(ok.headers.get('seam-request-id') ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(err.body.error.request_id, err.headers.get('seam-request-id'));
      assert.notEqual(ok.headers.get('seam-request-id'), err.headers.get('seam-request-id'));
    });

    test('refuses bodies over the size limit', async () => {
      const res = await t.post('/user_identities/create', { full_name: 'x'.repeat(70_000) });
      assert.equal(res.status, 413);
      assert.equal(res.body.error.type, 'payload_too_large');
    });
  });

  describe('user identities', () => {
    test('creates, gets, lists and deletes', async () => {
      const created = await t.post('/user_identities/create', {
        full_name: 'Grace Hopper',
        email_address: 'grace@example.com',
        phone_number: '+15555550100',
        user_identity_key: 'guest-42',
        _strict: true,
      });
      assert.equal(created.status, 200);
      assert.equal(created.body.ok, true);
      const u = created.body.user_identity;
      assert.match(u.user_identity_id, /^[0-9a-f-]{36}$/);
      assert.equal(u.full_name, 'Grace Hopper');
      assert.equal(u.display_name, 'Grace Hopper');
      assert.equal(u.phone_number, '+15555550100');

      const got = await t.query('GET', '/user_identities/get', { user_identity_id: u.user_identity_id });
      assert.deepEqual(got.body, { ok: true, user_identity: u });
      const listed = await t.query('GET', '/user_identities/list');
      assert.ok(listed.body.user_identities.some((x: any) => x.user_identity_id === u.user_identity_id));

      const dup = await t.post('/user_identities/create', { user_identity_key: 'guest-42' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.type, 'user_identity_key_already_in_use');

      assert.deepEqual((await t.query('DELETE', '/user_identities/delete', { user_identity_id: u.user_identity_id })).body, { ok: true });
      const gone = await t.query('GET', '/user_identities/get', { user_identity_id: u.user_identity_id });
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error.type, 'user_identity_not_found');
      assert.equal((await t.query('DELETE', '/user_identities/delete', { user_identity_id: u.user_identity_id })).status, 404);
    });

    test('validates every field and reports them all in Seam shape', async () => {
      const res = await t.post('/user_identities/create', { full_name: 42, email_address: 'not-an-email', phone_number: '555-0100' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.type, 'invalid_input');
      const v = res.body.error.validation_errors;
      assert.deepEqual(v._errors, []);
      assert.equal(v.full_name._errors.length, 1);
      assert.equal(v.email_address._errors.length, 1);
      assert.equal(v.phone_number._errors.length, 1);
      const badId = await t.query('GET', '/user_identities/get', { user_identity_id: 'nope' });
      assert.equal(badId.status, 400);
      assert.ok(badId.body.error.validation_errors.user_identity_id);
      const noId = await t.query('GET', '/user_identities/get');
      assert.equal(noId.status, 400);
    });

    test('deleting an identity deletes its grants and revokes its keys, all at once', async () => {
      const { identity, grant, key, token } = await t.guest();
      assert.equal((await t.credentials(token)).status, 200);
      await t.query('DELETE', '/user_identities/delete', { user_identity_id: identity.user_identity_id });
      assert.equal((await t.credentials(token)).status, 410);
      assert.equal((await t.query('GET', '/access_grants/get', { access_grant_id: grant.access_grant_id })).status, 404);
      const k = (await t.query('GET', '/instant_keys/get', { instant_key_id: key.instant_key_id })).body.instant_key;
      assert.notEqual(k.revoked_at, null);
      const types = (await t.query('GET', '/events/list', { user_identity_id: identity.user_identity_id })).body.events.map((e: any) => e.event_type);
      assert.deepEqual(types.slice(-3), ['access_grant.deleted', 'instant_key.revoked', 'instant_key.use_denied']);
    });
  });

  describe('entrances', () => {
    test('generates a lock id, BLE name and lock key, and shows the key only on create', async () => {
      const res = await t.post('/acs/entrances/create', { display_name: 'Room 412', kind: 'guest_room' });
      assert.equal(res.status, 200);
      const e = res.body.acs_entrance;
      assert.match(e.lock.lock_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(e.lock.ble_name, /^IK-[0-9A-F]{6}$/);
      assert.equal(base64urlToBytes(e.lock.lock_key).length, 32);
      const listed = (await t.query('GET', '/acs/entrances/list')).body.acs_entrances.find((x: any) => x.acs_entrance_id === e.acs_entrance_id);
      assert.deepEqual(listed.lock, { lock_id: e.lock.lock_id, ble_name: e.lock.ble_name });
      assert.equal(JSON.stringify((await t.query('GET', '/acs/entrances/list')).body).includes('lock_key'), false);
    });

    test('keeps a given lock key and BLE name', async () => {
      const lockKey = bytesToBase64url(new Uint8Array(32).fill(7));
      const e = await t.ok('/acs/entrances/create', { display_name: 'Pool', kind: 'amenity', lock: { ble_name: 'POOL-1', lock_key: lockKey } }, 'acs_entrance');
      assert.equal(e.lock.lock_key, lockKey);
      assert.equal(e.lock.ble_name, 'POOL-1');
    });

    test('validates kind, BLE name and lock key', async () => {
      const res = await t.post('/acs/entrances/create', { kind: 'castle', lock: { ble_name: 'x'.repeat(30), lock_key: 'AAAA' } });
      assert.equal(res.status, 400);
      const v = res.body.error.validation_errors;
      assert.ok(v.display_name);
      assert.ok(v.kind);
      assert.ok(v.lock.ble_name);
      assert.ok(v.lock.lock_key);
      const nonAscii = await t.post('/acs/entrances/create', { display_name: 'Spa', kind: 'amenity', lock: { ble_name: 'Spä' } });
      assert.equal(nonAscii.status, 400);
    });
  });

  describe('access grants', () => {
    test('creates, updates, gets, lists and deletes, with events', async () => {
      const identity = await t.ok('/user_identities/create', { full_name: 'Alan Turing' }, 'user_identity');
      const a = await t.ok('/acs/entrances/create', { display_name: 'Lobby', kind: 'common_area' }, 'acs_entrance');
      const b = await t.ok('/acs/entrances/create', { display_name: 'Gym', kind: 'amenity' }, 'acs_entrance');
      const starts = new Date(t.clock.ms).toISOString();
      const ends = new Date(t.clock.ms + 86_400_000).toISOString();
      const grant = await t.ok(
        '/access_grants/create',
        { user_identity_id: identity.user_identity_id, acs_entrance_ids: [a.acs_entrance_id], starts_at: starts, ends_at: ends, requested_access_methods: [{ mode: 'mobile_key' }] },
        'access_grant',
      );
      assert.deepEqual(grant.acs_entrance_ids, [a.acs_entrance_id]);
      assert.equal(grant.starts_at, starts);
      assert.deepEqual(grant.requested_access_methods, [{ mode: 'mobile_key', display_name: 'Mobile key', created_at: starts, created_access_method_ids: [] }]);
      assert.equal(grant.display_name, 'Lobby', 'an unnamed grant is named by its doors');

      const updated = await t.ok('/access_grants/update', { access_grant_id: grant.access_grant_id, acs_entrance_ids: [b.acs_entrance_id, a.acs_entrance_id] }, 'access_grant');
      assert.deepEqual(updated.acs_entrance_ids, [b.acs_entrance_id, a.acs_entrance_id]);
      assert.equal(updated.ends_at, ends);

      const got = await t.query('GET', '/access_grants/get', { access_grant_id: grant.access_grant_id });
      assert.deepEqual(got.body.access_grant, updated);
      const byIdentity = await t.query('GET', '/access_grants/list', { user_identity_id: identity.user_identity_id });
      assert.deepEqual(byIdentity.body.access_grants, [updated]);
      const byEntrance = await t.query('GET', '/access_grants/list', { acs_entrance_id: b.acs_entrance_id });
      assert.deepEqual(byEntrance.body.access_grants.map((g: any) => g.access_grant_id), [grant.access_grant_id]);

      assert.equal((await t.query('DELETE', '/access_grants/delete', { access_grant_id: grant.access_grant_id })).status, 200);
      const gone = await t.query('GET', '/access_grants/get', { access_grant_id: grant.access_grant_id });
      assert.equal(gone.body.error.type, 'access_grant_not_found');
      const types = (await t.query('GET', '/events/list', { user_identity_id: identity.user_identity_id })).body.events.map((e: any) => e.event_type);
      // Seam's event types: a door added is access_granted_to_door (a times change, access_times_changed).
      assert.deepEqual(types, ['access_grant.created', 'access_grant.access_granted_to_door', 'access_grant.deleted']);
    });

    test('validates times, order, modes and ids', async () => {
      const res = await t.post('/access_grants/create', {
        user_identity_id: 'x',
        acs_entrance_ids: ['also-not-a-uuid'],
        starts_at: '2026-02-30T00:00:00Z',
        ends_at: 'tomorrow',
        requested_access_methods: [{ mode: 'code' }],
      });
      assert.equal(res.status, 400);
      const v = res.body.error.validation_errors;
      for (const field of ['user_identity_id', 'acs_entrance_ids', 'starts_at', 'ends_at', 'requested_access_methods']) assert.ok(v[field], field);
      assert.ok(v.requested_access_methods['0'].mode);

      const { identity, entrances } = await t.guest();
      const base = { user_identity_id: identity.user_identity_id, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: [{ mode: 'mobile_key' }] };
      const reversed = await t.post('/access_grants/create', { ...base, starts_at: new Date(t.clock.ms + 7_200_000).toISOString(), ends_at: new Date(t.clock.ms + 3_600_000).toISOString() });
      assert.equal(reversed.status, 400);
      assert.ok(reversed.body.error.validation_errors.ends_at);
      const past = await t.post('/access_grants/create', { ...base, starts_at: '2020-01-01T00:00:00Z', ends_at: '2020-01-02T00:00:00+02:00' });
      assert.equal(past.status, 400);
      const noZone = await t.post('/access_grants/create', { ...base, starts_at: '2026-03-01T00:00:00', ends_at: '2027-01-01T00:00:00Z' });
      assert.equal(noZone.status, 400);
    });

    test('answers 404 for unknown identities, entrances and grants, changing nothing', async () => {
      const { identity, entrances } = await t.guest();
      const window = { starts_at: new Date(t.clock.ms).toISOString(), ends_at: new Date(t.clock.ms + 3_600_000).toISOString(), requested_access_methods: [{ mode: 'mobile_key' }] };
      const noIdentity = await t.post('/access_grants/create', { ...window, user_identity_id: crypto.randomUUID(), acs_entrance_ids: [entrances[0].acs_entrance_id] });
      assert.equal(noIdentity.body.error.type, 'user_identity_not_found');
      const before = (await t.query('GET', '/access_grants/list', { user_identity_id: identity.user_identity_id })).body.access_grants;
      const noEntrance = await t.post('/access_grants/create', { ...window, user_identity_id: identity.user_identity_id, acs_entrance_ids: [entrances[0].acs_entrance_id, crypto.randomUUID()] });
      assert.equal(noEntrance.status, 404);
      assert.equal(noEntrance.body.error.type, 'acs_entrance_not_found');
      const afterwards = (await t.query('GET', '/access_grants/list', { user_identity_id: identity.user_identity_id })).body.access_grants;
      assert.deepEqual(afterwards, before);
      const noGrant = await t.post('/access_grants/update', { access_grant_id: crypto.randomUUID(), ends_at: window.ends_at });
      assert.equal(noGrant.body.error.type, 'access_grant_not_found');
      const badUpdate = await t.post('/access_grants/update', { access_grant_id: before[0].access_grant_id, acs_entrance_ids: [crypto.randomUUID()] });
      assert.equal(badUpdate.status, 404);
      assert.deepEqual((await t.query('GET', '/access_grants/get', { access_grant_id: before[0].access_grant_id })).body.access_grant, before[0]);
    });
  });

  describe('instant keys', () => {
    test('generates a key whose URL is shown once and whose token is not stored in the clear', async () => {
      const { key, token, identity } = await t.guest();
      assert.equal(key.instant_key_url, `${t.url}/k#${token}`);
      assert.equal(key.user_identity_id, identity.user_identity_id);
      assert.equal(key.use_count, 0);
      assert.equal(key.max_use_count, null);
      assert.equal(key.revoked_at, null);
      assert.equal(key.expires_at, new Date(t.clock.ms + 30 * 86_400_000).toISOString());
      assert.deepEqual(key.customization, { primary_color: '#112233', secondary_color: '#445566', logo_url: 'https://brand.example/logo.png' });
      const got = (await t.query('GET', '/instant_keys/get', { instant_key_id: key.instant_key_id })).body.instant_key;
      assert.deepEqual(got, { ...key, instant_key_url: `${t.url}/k`, instant_key_url_has_token: false });
      const listed = (await t.query('GET', '/instant_keys/list', { user_identity_id: identity.user_identity_id })).body.instant_keys;
      assert.deepEqual(listed, [got]);
      const byUrl = await t.post('/instant_keys/get', { instant_key_url: key.instant_key_url });
      assert.deepEqual(byUrl.body.instant_key, got, 'found by its link, which the answer does not echo');
      const { readFileSync, readdirSync } = await import('node:fs');
      for (const file of readdirSync(t.dataDir)) {
        assert.equal(readFileSync(`${t.dataDir}/${file}`).includes(token.slice(3)), false, `token found in ${file}`);
      }
    });

    test('takes customization, max_use_count (digit strings too) and expires_at', async () => {
      const identity = await t.ok('/user_identities/create', {}, 'user_identity');
      const expires = new Date(t.clock.ms + 86_400_000).toISOString();
      const key = await t.ok(
        '/user_identities/generate_instant_key',
        { user_identity_id: identity.user_identity_id, max_use_count: '3', expires_at: expires, customization: { primary_color: '#ABCDEF' } },
        'instant_key',
      );
      assert.equal(key.max_use_count, 3);
      assert.equal(key.expires_at, expires);
      assert.deepEqual(key.customization, { primary_color: '#abcdef', secondary_color: '#445566', logo_url: 'https://brand.example/logo.png' });
    });

    test('validates its input', async () => {
      const identity = await t.ok('/user_identities/create', {}, 'user_identity');
      const res = await t.post('/user_identities/generate_instant_key', {
        user_identity_id: identity.user_identity_id,
        max_use_count: 0,
        expires_at: new Date(t.clock.ms + 400 * 86_400_000).toISOString(),
        customization: { primary_color: 'red', secondary_color: '#12345', logo_url: 'http://insecure.example/logo.png' },
      });
      assert.equal(res.status, 400);
      const v = res.body.error.validation_errors;
      assert.ok(v.max_use_count);
      assert.ok(v.expires_at);
      assert.ok(v.customization.primary_color);
      assert.ok(v.customization.secondary_color);
      assert.ok(v.customization.logo_url);
      const past = await t.post('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, expires_at: '2020-01-01T00:00:00Z' });
      assert.equal(past.status, 400);
      const unknown = await t.post('/user_identities/generate_instant_key', { user_identity_id: crypto.randomUUID() });
      assert.equal(unknown.body.error.type, 'user_identity_not_found');
      const missing = await t.query('GET', '/instant_keys/get', { instant_key_id: crypto.randomUUID() });
      assert.equal(missing.body.error.type, 'instant_key_not_found');
    });
  });

  describe('events', () => {
    test('lists oldest first with since inclusive', async () => {
      const identity = await t.ok('/user_identities/create', {}, 'user_identity');
      const k1 = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id }, 'instant_key');
      t.clock.advance(1000);
      const since = new Date(t.clock.ms).toISOString();
      const k2 = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id }, 'instant_key');
      t.clock.advance(1000);
      await t.post('/instant_keys/delete', { instant_key_id: k1.instant_key_id });
      const all = (await t.query('GET', '/events/list', { user_identity_id: identity.user_identity_id })).body.events;
      assert.deepEqual(all.map((e: any) => [e.event_type, e.instant_key_id]), [
        ['instant_key.created', k1.instant_key_id],
        ['instant_key.created', k2.instant_key_id],
        ['instant_key.revoked', k1.instant_key_id],
      ]);
      for (const e of all) assert.deepEqual(Object.keys(e).sort(), ['created_at', 'event_id', 'event_type', 'instant_key_id', 'occurred_at', 'user_identity_id', 'workspace_id']);
      const recent = (await t.query('GET', '/events/list', { user_identity_id: identity.user_identity_id, since })).body.events;
      assert.deepEqual(recent.map((e: any) => e.event_type), ['instant_key.created', 'instant_key.revoked']);
      assert.equal(recent[0].occurred_at, since);
      const bad = await t.query('GET', '/events/list', { since: 'yesterday' });
      assert.equal(bad.status, 400);
    });
  });
});
