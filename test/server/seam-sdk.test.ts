// The official Seam JavaScript SDK pointed at the stub, used the way an integrator already
// uses it against Seam. `@seamapi/http` 1.x sends get routes as GET with query parameters,
// list/create/delete/generate as POST (a parameterless POST as an empty form body), and
// `/access_grants/update` as PATCH; it reads the answer from the key named by the route.
// Its response types come from the optional peer `@seamapi/types` (not installed), hence the
// small inline shapes below.
import {
  SeamHttp,
  SeamHttpApiError,
  SeamHttpInvalidInputError,
  SeamHttpUnauthorizedError,
} from '@seamapi/http-v1';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_KEY, TestServer } from './helpers.ts';

describe('the Seam JavaScript SDK against the stub', () => {
  let t: TestServer;
  let seam: SeamHttp;
  let entranceIds: string[];
  const hours = (h: number) => new Date(t.clock.ms + h * 3_600_000).toISOString();

  before(async () => {
    t = await TestServer.start();
    seam = new SeamHttp({ apiKey: API_KEY, endpoint: t.localUrl });
    // Entrances are the issuer's own setup (Seam has no create route for them).
    entranceIds = [];
    for (const display_name of ['Room 412', 'Pool']) {
      entranceIds.push((await t.ok('/acs/entrances/create', { display_name, kind: 'guest_room' }, 'acs_entrance')).acs_entrance_id);
    }
  });
  after(() => t.close());

  test('creates, gets, lists and deletes user identities', async () => {
    const created = await seam.userIdentities.create({ full_name: 'Ada Lovelace', email_address: 'ada@example.com', phone_number: '+15555550100' });
    assert.equal(created.full_name, 'Ada Lovelace');
    assert.equal(created.email_address, 'ada@example.com');

    const got = await seam.userIdentities.get({ user_identity_id: created.user_identity_id });
    assert.deepEqual(got, created);
    const listed = await seam.userIdentities.list();
    assert.ok(listed.some((u: { user_identity_id: string }) => u.user_identity_id === created.user_identity_id));

    await seam.userIdentities.delete({ user_identity_id: created.user_identity_id });
    const gone = await seam.userIdentities.list();
    assert.equal(gone.some((u: { user_identity_id: string }) => u.user_identity_id === created.user_identity_id), false);
  });

  test('lists entrances', async () => {
    const entrances = await seam.acs.entrances.list();
    assert.deepEqual(
      entrances.map((e: { acs_entrance_id: string }) => e.acs_entrance_id),
      entranceIds,
    );
  });

  test('creates, gets, lists, updates and deletes access grants', async () => {
    const identity = await seam.userIdentities.create({ full_name: 'Grace Hopper' });
    const grant = await seam.accessGrants.create({
      user_identity_id: identity.user_identity_id,
      acs_entrance_ids: [entranceIds[0]!],
      starts_at: hours(-1),
      ends_at: hours(48),
      requested_access_methods: [{ mode: 'mobile_key' }],
    });
    assert.equal(grant.user_identity_id, identity.user_identity_id);
    assert.deepEqual((grant as unknown as { acs_entrance_ids: string[] }).acs_entrance_ids, [entranceIds[0]]);

    assert.deepEqual(await seam.accessGrants.get({ access_grant_id: grant.access_grant_id }), grant);
    const mine = await seam.accessGrants.list({ user_identity_id: identity.user_identity_id });
    assert.deepEqual(
      mine.map((g: { access_grant_id: string }) => g.access_grant_id),
      [grant.access_grant_id],
    );

    // The SDK sends update as PATCH and returns nothing; the change shows on the next get.
    await seam.accessGrants.update({ access_grant_id: grant.access_grant_id, ends_at: hours(72) });
    const updated = await seam.accessGrants.get({ access_grant_id: grant.access_grant_id });
    assert.equal(updated.ends_at, hours(72));

    await seam.accessGrants.delete({ access_grant_id: grant.access_grant_id });
    assert.deepEqual(await seam.accessGrants.list({ user_identity_id: identity.user_identity_id }), []);
  });

  test('generates an instant key whose link works, and gets, lists and revokes it', async () => {
    const identity = await seam.userIdentities.create({ full_name: 'Katherine Johnson' });
    await seam.accessGrants.create({
      user_identity_id: identity.user_identity_id,
      acs_entrance_ids: entranceIds,
      starts_at: hours(-1),
      ends_at: hours(24),
      requested_access_methods: [{ mode: 'mobile_key' }],
    });
    const key = await seam.userIdentities.generateInstantKey({ user_identity_id: identity.user_identity_id, max_use_count: 2 });
    assert.match(key.instant_key_url, /\/k#ik_[A-Za-z0-9_-]{43}$/);
    const token = key.instant_key_url.split('#')[1]!;
    const credentials = await t.credentials(token);
    assert.equal(credentials.status, 200);
    assert.equal(credentials.body.credentials.length, 2);

    const got = await seam.instantKeys.get({ instant_key_id: key.instant_key_id });
    assert.equal(got.user_identity_id, identity.user_identity_id);
    assert.equal(got.instant_key_url, null, 'the link is shown only once');
    const listed = await seam.instantKeys.list({ user_identity_id: identity.user_identity_id });
    assert.deepEqual(
      listed.map((k: { instant_key_id: string }) => k.instant_key_id),
      [key.instant_key_id],
    );

    await seam.instantKeys.delete({ instant_key_id: key.instant_key_id });
    assert.equal((await t.credentials(token)).status, 410);
  });

  test('lists the events of an instant key', async () => {
    const identity = await seam.userIdentities.create({ full_name: 'Mary Jackson' });
    const key = await seam.userIdentities.generateInstantKey({ user_identity_id: identity.user_identity_id });
    await t.credentials(key.instant_key_url.split('#')[1]!, {}, 'sdk-phone');
    const events = await seam.events.list({ instant_key_id: key.instant_key_id } as Parameters<typeof seam.events.list>[0]);
    assert.deepEqual(
      events.map((e: { event_type: string }) => e.event_type),
      ['instant_key.created', 'instant_key.used'],
    );
  });

  test('surfaces invalid input as the SDK’s SeamHttpInvalidInputError, per field', async () => {
    const err = await seam.accessGrants.get({ access_grant_id: 'not-a-uuid' }).catch((e: unknown) => e);
    assert.ok(err instanceof SeamHttpInvalidInputError, String(err));
    assert.equal(err.statusCode, 400);
    assert.deepEqual(err.getValidationErrorMessages('access_grant_id'), ['Invalid uuid']);
    assert.match(err.requestId, /^[0-9a-f-]{36}$/);
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
