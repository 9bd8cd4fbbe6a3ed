// The official Seam JavaScript SDK, current major (`@seamapi/http` 2.x), pointed at the stub
// and used the way an integrator already uses it against Seam, its types included. The SDK
// declares Node 22 and later; this test runs it on the project's Node 20 (see the README).
// Routes Seam's SDK has no method for (our `/acs/entrances/create`, and Seam's
// `/workspaces/customization_profiles/*`, which 2.32 does not wrap) go through the SDK's own
// authenticated client, `seam.client`.
import { SeamHttp, SeamHttpApiError, SeamHttpInvalidInputError, SeamHttpUnauthorizedError } from '@seamapi/http';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_KEY, TestServer } from './helpers.ts';

describe('the Seam JavaScript SDK 2.x against the stub', () => {
  let t: TestServer;
  let seam: SeamHttp;
  let entranceIds: string[];
  const hours = (h: number) => new Date(t.clock.ms + h * 3_600_000).toISOString();

  before(async () => {
    t = await TestServer.start();
    seam = new SeamHttp({ apiKey: API_KEY, endpoint: t.localUrl });
    entranceIds = [];
    for (const display_name of ['Room 412', 'Pool', 'Gym']) {
      const { data } = await seam.client.post('/acs/entrances/create', { display_name, kind: 'guest_room' });
      entranceIds.push(data.acs_entrance.acs_entrance_id);
    }
  });
  after(() => t.close());

  test('runs on this Node', () => {
    assert.match(process.version, /^v(20|22|24)\./);
  });

  test('creates, gets (by id and by key), lists page by page, and deletes user identities', async () => {
    const created = await seam.userIdentities.create({ full_name: 'Ada Lovelace', email_address: 'ada@example.com', phone_number: '+15555550100', user_identity_key: 'ada' });
    assert.equal(created.full_name, 'Ada Lovelace');
    assert.deepEqual(created.errors, [], 'typed code such as user.errors.length works');
    assert.deepEqual(created.warnings, []);
    assert.match(created.workspace_id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await seam.userIdentities.get({ user_identity_id: created.user_identity_id }), created);
    assert.deepEqual(await seam.userIdentities.get({ user_identity_key: 'ada' }), created);
    for (const full_name of ['Grace Hopper', 'Mary Jackson']) await seam.userIdentities.create({ full_name });

    const pages: number[] = [];
    for await (const page of seam.createPaginator(seam.userIdentities.list({ limit: 2 }))) pages.push(page.length);
    assert.deepEqual(pages, [2, 1]);
    const all = await seam.createPaginator(seam.userIdentities.list({ limit: 1 })).flattenToArray();
    assert.equal(all.length, 3);
    const [first, pagination] = await seam.createPaginator(seam.userIdentities.list({ limit: 2 })).firstPage();
    assert.equal(first.length, 2);
    assert.equal(pagination.hasNextPage, true);
    assert.deepEqual((await seam.userIdentities.list({ search: 'hopper' })).map((u) => u.full_name), ['Grace Hopper']);

    await seam.userIdentities.delete({ user_identity_id: created.user_identity_id });
    const gone = await seam.userIdentities.list({ user_identity_ids: [created.user_identity_id] });
    assert.deepEqual(gone, []);
  });

  test('gets and lists entrances, page by page', async () => {
    const entrance = await seam.acs.entrances.get({ acs_entrance_id: entranceIds[0]! });
    assert.equal(entrance.display_name, 'Room 412');
    assert.deepEqual(entrance.errors, []);
    const listed = await seam.createPaginator(seam.acs.entrances.list({ limit: 2 })).flattenToArray();
    assert.deepEqual(listed.map((e) => e.acs_entrance_id), entranceIds);
    assert.deepEqual((await seam.acs.entrances.list({ acs_entrance_ids: [entranceIds[1]!] })).map((e) => e.display_name), ['Pool']);
  });

  test('creates (with an inline identity, open-ended), gets by key, lists, updates and deletes access grants', async () => {
    const grant = await seam.accessGrants.create({
      user_identity: { full_name: 'Katherine Johnson' },
      acs_entrance_ids: [entranceIds[0]!],
      starts_at: hours(-1),
      name: 'Stay 1234',
      access_grant_key: 'booking-1234',
      requested_access_methods: [{ mode: 'mobile_key' }],
    });
    assert.equal(grant.ends_at, null);
    assert.equal(grant.name, 'Stay 1234');
    assert.deepEqual(await seam.accessGrants.get({ access_grant_key: 'booking-1234' }), grant);
    assert.deepEqual((await seam.accessGrants.list({ user_identity_id: grant.user_identity_id })).map((g) => g.access_grant_id), [grant.access_grant_id]);
    const paged = await seam.createPaginator(seam.accessGrants.list({ access_grant_ids: [grant.access_grant_id], limit: 1 })).flattenToArray();
    assert.equal(paged.length, 1);

    // The SDK sends update as PATCH and returns nothing; the change shows on the next get.
    await seam.accessGrants.update({ access_grant_id: grant.access_grant_id, ends_at: hours(72) });
    assert.equal((await seam.accessGrants.get({ access_grant_id: grant.access_grant_id })).ends_at, hours(72));
    await seam.accessGrants.update({ access_grant_key: 'booking-1234', ends_at: null });
    assert.equal((await seam.accessGrants.get({ access_grant_id: grant.access_grant_id })).ends_at, null);

    await seam.accessGrants.delete({ access_grant_id: grant.access_grant_id });
    assert.deepEqual(await seam.accessGrants.list({ user_identity_id: grant.user_identity_id }), []);
  });

  test('generates an instant key with a customization profile, whose link works; gets, lists and revokes it', async () => {
    const { data } = await seam.client.post('/workspaces/customization_profiles/create', { name: 'Aurora', primary_color: '#112233', hotel_name: 'Hotel Aurora' });
    const profileId: string = data.customization_profile.customization_profile_id;
    assert.equal((await seam.client.get('/workspaces/customization_profiles/get', { params: { customization_profile_id: profileId } })).data.customization_profile.name, 'Aurora');
    assert.equal((await seam.client.get('/workspaces/customization_profiles/list')).data.customization_profiles.length, 1);
    await seam.client.patch('/workspaces/customization_profiles/update', { customization_profile_id: profileId, secondary_color: '#ffeedd' });

    const identity = await seam.userIdentities.create({ full_name: 'Dorothy Vaughan' });
    await seam.accessGrants.create({
      user_identity_id: identity.user_identity_id,
      acs_entrance_ids: entranceIds.slice(0, 2),
      starts_at: hours(-1),
      ends_at: hours(24),
      requested_access_methods: [{ mode: 'mobile_key' }],
    });
    const key = await seam.userIdentities.generateInstantKey({ user_identity_id: identity.user_identity_id, max_use_count: 2, customization_profile_id: profileId });
    assert.match(key.instant_key_url, /\/k#ik_[A-Za-z0-9_-]{43}$/);
    assert.equal(key.customization_profile_id, profileId);
    assert.equal(key.customization?.primary_color, '#112233');
    const token = key.instant_key_url.split('#')[1]!;
    const credentials = await t.credentials(token);
    assert.equal(credentials.status, 200);
    assert.equal(credentials.body.credentials.length, 2);
    assert.equal(credentials.body.instant_key.customization.hotel_name, 'Hotel Aurora');
    assert.equal(credentials.body.instant_key.customization.secondary_color, '#ffeedd');

    const got = await seam.instantKeys.get({ instant_key_id: key.instant_key_id });
    assert.equal(got.user_identity_id, identity.user_identity_id);
    assert.equal(got.instant_key_url, `${t.url}/k`, 'the page, not the token: only its hash is kept');
    // A lookup by link sends the token: in a POST body, never in the GET query the SDK would use.
    const byLink = await seam.client.post('/instant_keys/get', { instant_key_url: key.instant_key_url });
    assert.equal(byLink.data.instant_key.instant_key_id, key.instant_key_id);
    const refused = await seam.instantKeys.get({ instant_key_url: key.instant_key_url }).catch((e: unknown) => e);
    assert.ok(refused instanceof SeamHttpInvalidInputError);
    assert.deepEqual((await seam.instantKeys.list({ user_identity_id: identity.user_identity_id })).map((k) => k.instant_key_id), [key.instant_key_id]);

    await seam.instantKeys.delete({ instant_key_id: key.instant_key_id });
    assert.equal((await t.credentials(token)).status, 410);
  });

  test('lists the events of one grant, and of one key', async () => {
    const identity = await seam.userIdentities.create({ full_name: 'Mary Winston Jackson' });
    const grant = await seam.accessGrants.create({ user_identity_id: identity.user_identity_id, acs_entrance_ids: [entranceIds[2]!], requested_access_methods: [{ mode: 'mobile_key' }] });
    await seam.accessGrants.update({ access_grant_id: grant.access_grant_id, starts_at: hours(-2) });
    const key = await seam.userIdentities.generateInstantKey({ user_identity_id: identity.user_identity_id });
    await t.credentials(key.instant_key_url.split('#')[1]!, {}, 'sdk-phone');
    const grantEvents = await seam.events.list({ access_grant_id: grant.access_grant_id });
    assert.deepEqual(grantEvents.map((e) => e.event_type), ['access_grant.created', 'access_grant.access_times_changed']);
    const keyEvents = await seam.events.list({ user_identity_id: identity.user_identity_id, event_types: ['access_grant.created'], between: [hours(-1), hours(1)] });
    assert.deepEqual(keyEvents.map((e) => e.event_type), ['access_grant.created']);
    // Our instant key events are not in Seam's union: read them untyped.
    const { data } = await seam.client.get('/events/list', { params: { instant_key_id: key.instant_key_id } });
    assert.deepEqual(data.events.map((e: { event_type: string }) => e.event_type), ['instant_key.created', 'instant_key.used']);
  });

  test('surfaces invalid input as the SDK’s SeamHttpInvalidInputError, per field, also for an unsupported parameter', async () => {
    const err = await seam.accessGrants.get({ access_grant_id: 'not-a-uuid' }).catch((e: unknown) => e);
    assert.ok(err instanceof SeamHttpInvalidInputError, String(err));
    assert.equal(err.statusCode, 400);
    assert.deepEqual(err.getValidationErrorMessages('access_grant_id'), ['Invalid uuid']);
    assert.match(err.requestId, /^[0-9a-f-]{36}$/);
    const unsupported = await seam.accessGrants.list({ reservation_key: 'r-1' }).catch((e: unknown) => e);
    assert.ok(unsupported instanceof SeamHttpInvalidInputError);
    assert.deepEqual(unsupported.getValidationErrorMessages('reservation_key'), ['Not supported by this server']);
  });

  test('surfaces unknown ids as SeamHttpApiError with the resource’s not_found code', async () => {
    const err = await seam.userIdentities.get({ user_identity_id: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
    assert.ok(err instanceof SeamHttpApiError, String(err));
    assert.equal(err.code, 'user_identity_not_found');
    assert.equal(err.statusCode, 404);
  });

  test('surfaces a wrong API key as SeamHttpUnauthorizedError', async () => {
    const stranger = new SeamHttp({ apiKey: 'seam_wrong_key_0123456789', endpoint: t.localUrl });
    const err = await stranger.userIdentities.list().catch((e: unknown) => e);
    assert.ok(err instanceof SeamHttpUnauthorizedError, String(err));
    assert.equal(err.statusCode, 401);
  });
});
