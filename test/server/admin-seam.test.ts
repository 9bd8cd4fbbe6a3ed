// The admin API as a Seam integrator uses it: every parameter honoured or refused by name,
// lists paginated and filtered, lookups by key, open-ended grants, customization profiles,
// and the credential contract's issuer, stay and entrance details.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, optionsFromEnv, resolveConfig } from '../../server-stub/config.ts';
import { MIGRATIONS } from '../../server-stub/db.ts';
import { API_KEY, TestServer, thumbprintOf } from './helpers.ts';

describe('admin API, Seam parameters', () => {
  let t: TestServer;
  const at = (h: number) => new Date(t.clock.ms + h * 3_600_000).toISOString();
  const mobileKey = [{ mode: 'mobile_key' }];
  before(async () => {
    t = await TestServer.start({ ticketTtlS: 3600, brand: { hotel_name: 'Hotel Aurora', support_email: 'desk@aurora.example' }, propertyTimeZone: 'Europe/Lisbon' });
  });
  after(() => t.close());

  describe('parameters', () => {
    test('refuses a parameter nothing reads, by name, in a body and in a query', async () => {
      const body = await t.post('/user_identities/create', { full_name: 'Ada', fullname: 'typo' });
      assert.equal(body.status, 400);
      assert.deepEqual(body.body.error.validation_errors.fullname._errors, ['Unknown parameter']);
      assert.match(body.body.error.message, /fullname/);
      const query = await t.query('GET', '/user_identities/list', { serach: 'ada' });
      assert.equal(query.status, 400);
      assert.deepEqual(query.body.error.validation_errors.serach._errors, ['Unknown parameter']);
      const nested = await t.post('/user_identities/generate_instant_key', { user_identity_id: crypto.randomUUID(), customization: { primary: '#000000' } });
      assert.deepEqual(nested.body.error.validation_errors.customization.primary._errors, ['Unknown parameter']);
    });

    test('names a parameter called like an object property (__proto__, valueOf) as unknown, not a 500', async () => {
      const res = await t.request('POST', '/user_identities/create', {
        raw: '{"full_name":"Ada","__proto__":{"x":1},"valueOf":1,"_errors":1}',
        headers: { authorization: `Bearer ${API_KEY}` },
      });
      assert.equal(res.status, 400);
      const v = res.body.error.validation_errors;
      assert.deepEqual(v._errors, ['_errors: Unknown parameter']);
      assert.deepEqual(v.valueOf._errors, ['Unknown parameter']);
      assert.ok(Object.hasOwn(v, '__proto__'));
    });

    test('refuses the Seam parameters this server does not implement, saying so', async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ['/user_identities/create', { acs_system_ids: [crypto.randomUUID()] }, 'acs_system_ids'],
        ['/access_grants/list', { reservation_key: 'r-1' }, 'reservation_key'],
        ['/acs/entrances/list', { location_id: crypto.randomUUID() }, 'location_id'],
        ['/events/list', { device_ids: [crypto.randomUUID()] }, 'device_ids'],
        ['/workspaces/customization_profiles/create', { customer_portal_theme: {} }, 'customer_portal_theme'],
      ];
      for (const [path, params, field] of cases) {
        const res = await t.post(path, params);
        assert.equal(res.status, 400, path);
        assert.deepEqual(res.body.error.validation_errors[field]._errors, ['Not supported by this server'], path);
      }
    });

    test('refuses bidi controls and other format characters in every name, and keeps ZWJ and ZWNJ', async () => {
      const { entrances, identity } = await t.guest();
      for (const bad of ['Ada\u202eecalevoL', 'A\u2066da', 'A\u200bda', '\ufeffAda', 'Ada\u200e', 'Ada\nLovelace']) {
        const cases: [string, Record<string, unknown>, string[]][] = [
          ['/user_identities/create', { full_name: bad }, ['full_name']],
          ['/acs/entrances/create', { display_name: bad, kind: 'amenity', location: bad }, ['display_name', 'location']],
          ['/access_grants/create', { user_identity_id: identity.user_identity_id, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: mobileKey, name: bad }, ['name']],
          ['/workspaces/customization_profiles/create', { name: bad, hotel_name: bad }, ['name', 'hotel_name']],
          ['/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, customization: { hotel_name: bad } }, []],
        ];
        for (const [path, body, fields] of cases) {
          const res = await t.post(path, body);
          assert.equal(res.status, 400, `${path} ${JSON.stringify(bad)}`);
          for (const field of fields) assert.match(res.body.error.validation_errors[field]._errors[0], /format characters/, field);
        }
      }
      const persian = await t.post('/user_identities/create', { full_name: 'می\u200cخواهم' });
      assert.equal(persian.status, 200, 'ZWNJ is part of Persian spelling');
      const emoji = await t.post('/acs/entrances/create', { display_name: 'Family room 👨\u200d👩\u200d👧', kind: 'guest_room' });
      assert.equal(emoji.status, 200, 'ZWJ joins emoji');
    });
  });

  describe('lists', () => {
    test('pages through with limit and page_cursor, each row once, and follow next_page_url', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await t.ok('/user_identities/create', { full_name: `Pager ${i}` }, 'user_identity')).user_identity_id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await t.query('GET', '/user_identities/list', { search: 'pager', limit: '2', ...(cursor ? { page_cursor: cursor } : {}) });
        assert.equal(res.status, 200);
        seen.push(...res.body.user_identities.map((u: any) => u.user_identity_id));
        cursor = res.body.pagination.next_page_cursor ?? undefined;
        assert.equal(res.body.pagination.has_next_page, cursor !== undefined);
        pages++;
      } while (cursor);
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);

      const first = await t.query('GET', '/user_identities/list', { search: 'pager', limit: '2' });
      const next = new URL(first.body.pagination.next_page_url);
      assert.equal(next.origin + next.pathname, `${t.url}/user_identities/list`);
      const followed = await t.request('GET', `${next.pathname}${next.search}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      assert.deepEqual(followed.body.user_identities.map((u: any) => u.user_identity_id), ids.slice(2, 4));

      const otherFilter = await t.query('GET', '/user_identities/list', { search: 'someone else', page_cursor: first.body.pagination.next_page_cursor });
      assert.equal(otherFilter.status, 400, 'a cursor is bound to its filters');
      assert.ok(otherFilter.body.error.validation_errors.page_cursor);
      const forged = await t.query('GET', '/user_identities/list', { page_cursor: 'bm90IGEgY3Vyc29y' });
      assert.equal(forged.status, 400);
      const last = await t.query('GET', '/user_identities/list', { search: 'pager', limit: '10' });
      assert.deepEqual(last.body.pagination, { has_next_page: false, next_page_cursor: null, next_page_url: null });
    });

    test('filters identities, entrances, grants and keys as Seam does', async () => {
      const a = await t.ok('/user_identities/create', { full_name: 'Filter Alpha', email_address: 'alpha@filter.example', user_identity_key: 'filter-a' }, 'user_identity');
      const b = await t.ok('/user_identities/create', { full_name: 'Filter Beta' }, 'user_identity');
      const byIds = await t.query('GET', '/user_identities/list', { user_identity_ids: a.user_identity_id });
      assert.deepEqual(byIds.body.user_identities.map((u: any) => u.user_identity_id), [a.user_identity_id]);
      const bySearch = await t.post('/user_identities/list', { search: 'ALPHA@filter' });
      assert.deepEqual(bySearch.body.user_identities.map((u: any) => u.user_identity_id), [a.user_identity_id]);
      const accented = await t.ok('/user_identities/create', { full_name: 'Élodie Filter' }, 'user_identity');
      assert.deepEqual((await t.post('/user_identities/list', { search: 'ÉLODIE' })).body.user_identities.map((u: any) => u.user_identity_id), [accented.user_identity_id]);
      const before = await t.post('/user_identities/list', { user_identity_ids: [a.user_identity_id, b.user_identity_id], created_before: new Date(t.clock.ms).toISOString() });
      assert.deepEqual(before.body.user_identities, [], 'created_before is exclusive');

      const gym = await t.ok('/acs/entrances/create', { display_name: 'Filter gym', kind: 'amenity' }, 'acs_entrance');
      const spa = await t.ok('/acs/entrances/create', { display_name: 'Filter spa', kind: 'amenity' }, 'acs_entrance');
      const entrances = await t.post('/acs/entrances/list', { acs_entrance_ids: [gym.acs_entrance_id, spa.acs_entrance_id], search: 'SPA' });
      assert.deepEqual(entrances.body.acs_entrances.map((e: any) => e.acs_entrance_id), [spa.acs_entrance_id]);
      assert.equal((await t.post('/acs/entrances/list', { acs_system_id: gym.acs_system_id, acs_entrance_ids: [gym.acs_entrance_id] })).body.acs_entrances.length, 1);
      assert.deepEqual((await t.post('/acs/entrances/list', { acs_system_id: crypto.randomUUID() })).body.acs_entrances, [], 'another system has none of ours');

      const g1 = await t.ok('/access_grants/create', { user_identity_id: a.user_identity_id, acs_entrance_ids: [gym.acs_entrance_id], requested_access_methods: mobileKey, access_grant_key: 'filter-booking-1' }, 'access_grant');
      const g2 = await t.ok('/access_grants/create', { user_identity_id: b.user_identity_id, acs_entrance_ids: [spa.acs_entrance_id], requested_access_methods: mobileKey }, 'access_grant');
      const grants = await t.post('/access_grants/list', { access_grant_ids: [g1.access_grant_id, g2.access_grant_id] });
      assert.deepEqual(grants.body.access_grants.map((g: any) => g.access_grant_id), [g1.access_grant_id, g2.access_grant_id]);
      const byKey = await t.post('/access_grants/list', { access_grant_key: 'filter-booking-1' });
      assert.deepEqual(byKey.body.access_grants.map((g: any) => g.access_grant_id), [g1.access_grant_id]);

      const ka = await t.ok('/user_identities/generate_instant_key', { user_identity_id: a.user_identity_id }, 'instant_key');
      await t.ok('/user_identities/generate_instant_key', { user_identity_id: b.user_identity_id }, 'instant_key');
      const keys = await t.query('GET', '/instant_keys/list', { user_identity_id: a.user_identity_id });
      assert.deepEqual(keys.body.instant_keys.map((k: any) => k.instant_key_id), [ka.instant_key_id]);
    });

    test('events of one grant are that grant’s only, however many other guests there are', async () => {
      const mine = await t.guest();
      for (let i = 0; i < 3; i++) {
        const other = await t.guest();
        await t.credentials(other.token, {}, `other-${i}`);
      }
      await t.credentials(mine.token, {}, 'my-phone');
      await t.post('/access_grants/update', { access_grant_id: mine.grant.access_grant_id, ends_at: at(100) });
      const res = await t.query('GET', '/events/list', { access_grant_id: mine.grant.access_grant_id });
      assert.deepEqual(res.body.events.map((e: any) => e.event_type), ['access_grant.created', 'access_grant.access_times_changed']);
      for (const e of res.body.events) assert.equal(e.access_grant_id, mine.grant.access_grant_id);
      assert.equal(res.body.events[1].ends_at, at(100));

      const typed = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, event_types: ['instant_key.used'] });
      assert.deepEqual(typed.body.events.map((e: any) => e.device_id), [await thumbprintOf(t, 'my-phone')]);
      const one = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, event_type: 'instant_key.created' });
      assert.deepEqual(one.body.events.map((e: any) => e.instant_key_id), [mine.key.instant_key_id]);
      const window = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, between: [at(-1), at(1)] });
      assert.equal(window.body.events.length, 4);
      const empty = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, between: [at(1), at(2)] });
      assert.deepEqual(empty.body.events, []);
      const badBetween = await t.post('/events/list', { between: [at(2), at(1)] });
      assert.ok(badBetween.body.error.validation_errors.between);
      const unknownType = await t.post('/events/list', { event_types: ['access_grant.created', 'lock.unlocked'] });
      assert.equal(unknownType.status, 400, 'a type this server never records is refused, not answered empty');
      const paged = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, limit: 3 });
      const rest = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, limit: 3, page_cursor: paged.body.pagination.next_page_cursor });
      assert.equal(paged.body.events.length + rest.body.events.length, 4);
      const offset = await t.post('/events/list', { user_identity_id: mine.identity.user_identity_id, unstable_offset: 3 });
      assert.deepEqual(offset.body.events, rest.body.events);
    });
  });

  describe('identities and grants', () => {
    test('gets an identity by user_identity_key and a grant by access_grant_key; refuses both names at once', async () => {
      const u = await t.ok('/user_identities/create', { full_name: 'Keyed', user_identity_key: 'pms-guest-7' }, 'user_identity');
      assert.deepEqual((await t.query('GET', '/user_identities/get', { user_identity_key: 'pms-guest-7' })).body.user_identity, u);
      const both = await t.post('/user_identities/get', { user_identity_key: 'pms-guest-7', user_identity_id: u.user_identity_id });
      assert.equal(both.status, 400);
      assert.equal((await t.post('/user_identities/get', { user_identity_key: 'nobody' })).body.error.type, 'user_identity_not_found');
      const { entrances } = await t.guest();
      const g = await t.ok('/access_grants/create', { user_identity_id: u.user_identity_id, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: mobileKey, access_grant_key: 'pms-stay-7', name: 'Stay 7' }, 'access_grant');
      assert.equal(g.name, 'Stay 7');
      assert.equal(g.display_name, 'Stay 7');
      assert.equal(g.access_grant_key, 'pms-stay-7');
      assert.deepEqual((await t.query('GET', '/access_grants/get', { access_grant_key: 'pms-stay-7' })).body.access_grant, g);
      const renamed = await t.ok('/access_grants/update', { access_grant_key: 'pms-stay-7', name: null }, 'access_grant');
      assert.equal(renamed.name, null);
      assert.equal(renamed.display_name, 'Door 0');
    });

    test('keeps email address (any case), phone number and user_identity_key unique', async () => {
      await t.ok('/user_identities/create', { email_address: 'unique@example.com', phone_number: '+15555550177', user_identity_key: 'unique-1' }, 'user_identity');
      const cases: [Record<string, string>, string][] = [
        [{ email_address: 'Unique@Example.com' }, 'user_identity_email_address_already_in_use'],
        [{ phone_number: '+15555550177' }, 'user_identity_phone_number_already_in_use'],
        [{ user_identity_key: 'unique-1' }, 'user_identity_key_already_in_use'],
      ];
      for (const [fields, type] of cases) {
        const res = await t.post('/user_identities/create', fields);
        assert.equal(res.status, 409);
        assert.equal(res.body.error.type, type);
      }
    });

    test('creates the guest inline with the grant, all or nothing', async () => {
      const { entrances } = await t.guest();
      const g = await t.ok('/access_grants/create', { user_identity: { full_name: 'Inline Guest', email_address: 'inline@example.com' }, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: mobileKey }, 'access_grant');
      const u = (await t.query('GET', '/user_identities/get', { user_identity_id: g.user_identity_id })).body.user_identity;
      assert.equal(u.full_name, 'Inline Guest');
      const dupe = await t.post('/access_grants/create', { user_identity: { email_address: 'inline@example.com' }, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: mobileKey });
      assert.equal(dupe.status, 409);
      const noDoor = await t.post('/access_grants/create', { user_identity: { full_name: 'Ghost', user_identity_key: 'ghost' }, acs_entrance_ids: [crypto.randomUUID()], requested_access_methods: mobileKey });
      assert.equal(noDoor.status, 404);
      assert.equal((await t.post('/user_identities/get', { user_identity_key: 'ghost' })).status, 404, 'no identity left behind');
      const both = await t.post('/access_grants/create', { user_identity_id: u.user_identity_id, user_identity: { full_name: 'X' }, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: mobileKey });
      assert.equal(both.status, 400);
    });

    test('open-ended grants: ends_at absent or null, tickets until the key expires, and back to bounded', async () => {
      const { identity, entrances } = await t.guest();
      const open = await t.ok('/access_grants/create', { user_identity_id: identity.user_identity_id, acs_entrance_ids: [entrances[0].acs_entrance_id], requested_access_methods: mobileKey, ends_at: null }, 'access_grant');
      assert.equal(open.ends_at, null);
      assert.equal(open.starts_at, new Date(t.clock.ms).toISOString(), 'starts now by default');
      const key = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, expires_at: at(10) }, 'instant_key');
      const creds = await t.credentials(key.instant_key_url.split('#')[1], {}, 'open-phone');
      const credential = creds.body.credentials.find((c: any) => c.credential_id && c.ends_at === at(10));
      assert.ok(credential, 'the open grant shows, through this link, until the link expires');
      const bounded = await t.ok('/access_grants/update', { access_grant_id: open.access_grant_id, ends_at: at(5) }, 'access_grant');
      assert.equal(bounded.ends_at, at(5));
      const reopened = await t.ok('/access_grants/update', { access_grant_id: open.access_grant_id, ends_at: null }, 'access_grant');
      assert.equal(reopened.ends_at, null);
      const events = (await t.query('GET', '/events/list', { access_grant_id: open.access_grant_id })).body.events;
      assert.deepEqual(events.map((e: any) => [e.event_type, e.ends_at]), [
        ['access_grant.created', undefined],
        ['access_grant.access_times_changed', at(5)],
        ['access_grant.access_times_changed', undefined],
      ]);
    });

    test('instant_key_max_use_count issues the guest’s key with the grant, that limit applied', async () => {
      const { entrances } = await t.guest();
      const res = await t.post('/access_grants/create', {
        user_identity: { full_name: 'Counted' },
        acs_entrance_ids: [entrances[0].acs_entrance_id],
        ends_at: at(24),
        requested_access_methods: [{ mode: 'mobile_key', instant_key_max_use_count: 1 }],
      });
      assert.equal(res.status, 200);
      const grant = res.body.access_grant;
      assert.equal(grant.requested_access_methods[0].instant_key_max_use_count, 1);
      const token = grant.instant_key_url.split('#')[1];
      assert.equal((await t.credentials(token, {}, 'phone-a')).status, 200);
      assert.equal((await t.credentials(token, {}, 'phone-b')).status, 403, 'the second device is over the limit');
      const [key] = (await t.query('GET', '/instant_keys/list', { user_identity_id: grant.user_identity_id })).body.instant_keys;
      assert.equal(key.max_use_count, 1);
      assert.equal(key.expires_at, at(24), 'the key ends with the grant');
      const again = (await t.query('GET', '/access_grants/get', { access_grant_id: grant.access_grant_id })).body.access_grant;
      assert.equal(again.instant_key_url, undefined, 'the link is in the create answer only');
    });
  });

  describe('instant keys', () => {
    test('finds a key by its link in a POST body, never in a query string', async () => {
      const { key } = await t.guest();
      const found = await t.post('/instant_keys/get', { instant_key_url: key.instant_key_url });
      assert.equal(found.body.instant_key.instant_key_id, key.instant_key_id);
      assert.equal(JSON.stringify(found.body).includes(key.instant_key_url.split('#')[1]), false);
      const inQuery = await t.query('GET', '/instant_keys/get', { instant_key_url: key.instant_key_url });
      assert.equal(inQuery.status, 400);
      assert.match(inQuery.body.error.validation_errors.instant_key_url._errors[0], /POST body/);
      assert.equal(JSON.stringify(inQuery.body).includes(key.instant_key_url.split('#')[1]), false, 'the error does not echo the token');
      const other = await t.post('/instant_keys/get', { instant_key_url: `${t.url}/k#ik_${'A'.repeat(43)}` });
      assert.equal(other.body.error.type, 'instant_key_not_found');
      const notALink = await t.post('/instant_keys/get', { instant_key_url: 'https://example.com/' });
      assert.equal(notALink.status, 400);
    });

    test('a per-key ticket lifetime, within the server’s TICKET_TTL_S', async () => {
      const { token } = await t.guest({ key: { ticket_ttl_s: 120 } });
      const res = await t.credentials(token, {}, 'short-ttl');
      assert.equal(res.body.credentials[0].ticket_expires_at, new Date(Math.floor(t.clock.ms / 1000) * 1000 + 120_000).toISOString());
      assert.equal(res.body.refresh_after_s, 60, 'refreshes at half the lifetime');
      const { token: defaultToken } = await t.guest();
      const fallback = await t.credentials(defaultToken, {}, 'default-ttl');
      assert.equal(fallback.body.credentials[0].ticket_expires_at, new Date(Math.floor(t.clock.ms / 1000) * 1000 + 3_600_000).toISOString());
      const identity = await t.ok('/user_identities/create', {}, 'user_identity');
      const over = await t.post('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, ticket_ttl_s: 3601 });
      assert.equal(over.status, 400);
      assert.match(over.body.error.validation_errors.ticket_ttl_s._errors[0], /3600/);
    });

    test('brands a key from its profile and the server’s defaults, and the profile’s changes follow', async () => {
      const profile = await t.ok('/workspaces/customization_profiles/create', { name: 'Harbour', primary_color: '#003366', support_phone: '+15555550123' }, 'customization_profile');
      const { token, key } = await t.guest({ key: { customization_profile_id: profile.customization_profile_id, customization: { accent_color: '#FF6600' } } });
      assert.equal(key.customization_profile_id, profile.customization_profile_id);
      const first = (await t.credentials(token, {}, 'brand-phone')).body.instant_key.customization;
      assert.deepEqual(first, {
        primary_color: '#003366',
        secondary_color: '#f1faee',
        hotel_name: 'Hotel Aurora',
        support_email: 'desk@aurora.example',
        support_phone: '+15555550123',
        accent_color: '#ff6600',
      });
      await t.post('/workspaces/customization_profiles/update', { customization_profile_id: profile.customization_profile_id, support_phone: null, hotel_name: 'Harbour House' });
      const after = (await t.credentials(token, {}, 'brand-phone')).body.instant_key.customization;
      assert.equal(after.hotel_name, 'Harbour House');
      assert.equal(after.support_phone, undefined, 'cleared back to the server default (none)');
      const listed = (await t.query('GET', '/workspaces/customization_profiles/list')).body.customization_profiles;
      assert.ok(listed.some((p: any) => p.customization_profile_id === profile.customization_profile_id && p.name === 'Harbour'));
      const identity = await t.ok('/user_identities/create', {}, 'user_identity');
      const unknown = await t.post('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, customization_profile_id: crypto.randomUUID() });
      assert.equal(unknown.body.error.type, 'customization_profile_not_found');
    });

    test('sends the stay, the property’s time zone and entrance details to the guest', async () => {
      const identity = await t.ok('/user_identities/create', { full_name: 'Stay Guest' }, 'user_identity');
      const room = await t.ok('/acs/entrances/create', { display_name: 'Room 9', kind: 'guest_room', floor: '1', room_type: 'Twin' }, 'acs_entrance');
      const pool = await t.ok('/acs/entrances/create', { display_name: 'Pool', kind: 'amenity', hours: '07:00-22:00', location: 'Level 2, east wing' }, 'acs_entrance');
      assert.equal(room.floor, '1');
      assert.equal((await t.query('GET', '/acs/entrances/get', { acs_entrance_id: pool.acs_entrance_id })).body.acs_entrance.hours, '07:00-22:00');
      await t.ok('/access_grants/create', { user_identity_id: identity.user_identity_id, acs_entrance_ids: [room.acs_entrance_id, pool.acs_entrance_id], starts_at: at(-1), ends_at: at(48), requested_access_methods: mobileKey }, 'access_grant');
      const key = await t.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, check_in_at: at(-1), check_out_at: at(48), time_zone: 'asia/tokyo' }, 'instant_key');
      assert.equal(key.time_zone, 'Asia/Tokyo', 'canonical spelling');
      const body = (await t.credentials(key.instant_key_url.split('#')[1], {}, 'stay-phone')).body;
      assert.equal(body.instant_key.check_in_at, at(-1));
      assert.equal(body.instant_key.check_out_at, at(48));
      assert.equal(body.instant_key.time_zone, 'Asia/Tokyo');
      assert.deepEqual(body.credentials.map((c: any) => c.entrance), [
        { acs_entrance_id: room.acs_entrance_id, display_name: 'Room 9', kind: 'guest_room', floor: '1', room_type: 'Twin' },
        { acs_entrance_id: pool.acs_entrance_id, display_name: 'Pool', kind: 'amenity', hours: '07:00-22:00', location: 'Level 2, east wing' },
      ]);
      const plain = await t.guest();
      const defaults = (await t.credentials(plain.token, {}, 'default-phone')).body.instant_key;
      assert.equal(defaults.time_zone, 'Europe/Lisbon', 'PROPERTY_TIME_ZONE by default');
      assert.equal('check_in_at' in defaults, false);
    });

    test('refuses bad details with Seam-shaped validation errors, every one at once', async () => {
      const identity = await t.ok('/user_identities/create', {}, 'user_identity');
      const res = await t.post('/user_identities/generate_instant_key', {
        user_identity_id: identity.user_identity_id,
        check_in_at: at(10),
        check_out_at: at(5),
        time_zone: 'Mars/Olympus',
        customization: { support_phone: '555-0100', support_email: 'nope', accent_color: 'orange', hotel_name: '' },
      });
      assert.equal(res.status, 400);
      const v = res.body.error.validation_errors;
      assert.deepEqual(v._errors, []);
      for (const field of ['check_out_at', 'time_zone']) assert.equal(v[field]._errors.length, 1, field);
      for (const field of ['support_phone', 'support_email', 'accent_color', 'hotel_name']) assert.equal(v.customization[field]._errors.length, 1, field);
      const entrance = await t.post('/acs/entrances/create', { display_name: 'Gym', kind: 'amenity', hours: '7-22', floor: 'x'.repeat(21), location: '' });
      assert.equal(entrance.status, 400);
      for (const field of ['hours', 'floor', 'location']) assert.ok(entrance.body.error.validation_errors[field], field);
    });
  });
});

describe('brand and property settings', () => {
  test('come from the environment and are validated', () => {
    const options = optionsFromEnv({
      BRAND_HOTEL_NAME: 'Hotel Aurora',
      BRAND_SUPPORT_PHONE: '+15555550100',
      BRAND_SUPPORT_EMAIL: 'desk@aurora.example',
      BRAND_ACCENT_COLOR: '#aa3300',
      PROPERTY_TIME_ZONE: 'Europe/Lisbon',
    });
    const config = resolveConfig(options);
    assert.equal(config.brand.hotel_name, 'Hotel Aurora');
    assert.equal(config.brand.support_phone, '+15555550100');
    assert.equal(config.brand.support_email, 'desk@aurora.example');
    assert.equal(config.brand.accent_color, '#aa3300');
    assert.equal(config.propertyTimeZone, 'Europe/Lisbon');
    for (const [name, value] of [['BRAND_SUPPORT_PHONE', '555'], ['BRAND_ACCENT_COLOR', 'red'], ['PROPERTY_TIME_ZONE', 'Mars/Olympus'], ['BRAND_HOTEL_NAME', 'Aurora\u202e']]) {
      assert.throws(() => resolveConfig(optionsFromEnv({ [name!]: value })), (e: unknown) => e instanceof ConfigError && e.message.startsWith(name!), name);
    }
  });
});

describe('a store from before Seam compatibility', () => {
  test('keeps its grants, keys and events, with Seam’s event type for old updates', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ik-seam-migration-'));
    try {
      const old = new Database(join(dataDir, 'instant-key.sqlite'));
      old.exec(MIGRATIONS[0]!);
      old.exec(MIGRATIONS[1]!);
      old.pragma('user_version = 2');
      const identity = crypto.randomUUID();
      const grant = crypto.randomUUID();
      old.prepare('INSERT INTO user_identities VALUES (?, NULL, ?, NULL, NULL, 0)').run(identity, 'Old Guest');
      old.prepare('INSERT INTO access_grants VALUES (?, ?, 0, 8000000000000, 0, 0)').run(grant, identity);
      old.prepare("INSERT INTO events (event_id, event_type, occurred_at, access_grant_id) VALUES (?, 'access_grant.updated', 1, ?)").run(crypto.randomUUID(), grant);
      old.close();
      const t = await TestServer.start({ dataDir });
      try {
        const got = await t.post('/access_grants/get', { access_grant_id: grant });
        assert.equal(got.status, 200);
        assert.equal(got.body.access_grant.name, null);
        assert.equal(got.body.access_grant.ends_at, new Date(8_000_000_000_000).toISOString());
        const events = await t.post('/events/list', { access_grant_id: grant });
        assert.deepEqual(events.body.events.map((e: any) => e.event_type), ['access_grant.access_times_changed']);
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
