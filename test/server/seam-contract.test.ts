// Every answer of every admin route, successes and errors, checked against Seam's own
// published OpenAPI document (`@seamapi/types`, pinned) with ajv. Our extra fields are
// allowed (Seam's schemas are open); anything Seam's type forbids (a missing field, a
// `null` where Seam allows only absence, an unknown event type) fails here.
import { openapi } from '@seamapi/types/connect';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVENT_TYPES } from '../../server-stub/events.ts';
import { documentedOperations, openApiDocument } from '../../server-stub/openapi.ts';
import { API_KEY, TestServer, type Answer } from './helpers.ts';

const ajv = new Ajv({ strict: false, allErrors: true, discriminator: true });
addFormats(ajv);
ajv.addSchema(openapi as object, 'seam');
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const seamSchema = (ref: string): ValidateFunction => {
  const validate = ajv.getSchema(`seam#/${ref}`);
  assert.ok(validate, `Seam's document has ${ref}`);
  return validate;
};
const seamResponse = (path: string) => seamSchema(pointer('paths', path, 'post', 'responses', '200', 'content', 'application/json', 'schema'));

/**
 * Seam's document gives no schema for error answers; this is the shape the official SDK
 * reads them in (`ApiErrorResponse` in @seamapi/http's api-error-types.d.ts), plus the
 * `request_id` Seam sends.
 */
const seamError = ajv.compile({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['type', 'message', 'request_id'],
      properties: {
        type: { type: 'string', pattern: '^[a-z_]+$' },
        message: { type: 'string', minLength: 1 },
        request_id: { type: 'string', format: 'uuid' },
        validation_errors: {
          type: 'object',
          required: ['_errors'],
          properties: { _errors: { type: 'array', items: { type: 'string' } } },
          additionalProperties: { type: 'object', required: ['_errors'] },
        },
      },
    },
  },
});

/** Our own event types (Seam has no instant key events): checked against /openapi.json instead. */
const OWN_EVENT_TYPES = EVENT_TYPES.filter((t) => t.startsWith('instant_key.'));
const ourEvent = new Ajv({ strict: false, allErrors: true });
addFormats(ourEvent);
ourEvent.addSchema(openApiDocument('http://localhost') as object, 'ours');

describe('the admin API against Seam’s OpenAPI document (@seamapi/types 1.977.0)', () => {
  let t: TestServer;
  const checked = new Map<string, Set<'success' | 'error'>>();

  /** Sends a request and checks its answer against Seam's schema for `path`. */
  async function call(path: string, params: Record<string, unknown> = {}, method: 'POST' | 'GET' | 'DELETE' | 'PATCH' = 'POST'): Promise<Answer> {
    const headers = { authorization: `Bearer ${API_KEY}` };
    const res =
      method === 'GET' || method === 'DELETE'
        ? await t.request(method, `${path}?${query(params)}`, { headers })
        : await t.request(method, path, { body: params, headers });
    conforms(path, res);
    return res;
  }

  function conforms(path: string, res: Answer): void {
    const kinds = checked.get(path) ?? new Set();
    checked.set(path, kinds);
    if (res.status !== 200) {
      assert.ok(seamError(res.body), `${path} ${res.status}: ${ajv.errorsText(seamError.errors)}`);
      assert.equal(res.body.error.request_id, res.headers.get('seam-request-id'));
      kinds.add('error');
      return;
    }
    kinds.add('success');
    let body = res.body;
    if (path === '/events/list') {
      const own = body.events.filter((e: { event_type: string }) => !seamEventTypes.has(e.event_type));
      for (const event of own) {
        assert.ok((OWN_EVENT_TYPES as string[]).includes(event.event_type), `${event.event_type} is neither Seam's nor documented`);
        const validate = ourEvent.getSchema('ours#/components/schemas/Event')!;
        assert.ok(validate(event), `${event.event_type}: ${ourEvent.errorsText(validate.errors)}`);
      }
      body = { ...body, events: body.events.filter((e: { event_type: string }) => seamEventTypes.has(e.event_type)) };
    }
    if (path === '/acs/entrances/create') {
      // Seam has no create route for entrances: the entrance itself must be Seam's acs_entrance.
      const validate = seamSchema('components/schemas/acs_entrance');
      assert.ok(validate(body.acs_entrance), `${path}: ${ajv.errorsText(validate.errors)}`);
      return;
    }
    const validate = seamResponse(path);
    assert.ok(validate(body), `${path}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }

  const seamEventTypes = new Set<string>(
    (openapi as unknown as { components: { schemas: { event: { oneOf: { properties: { event_type: { enum: string[] } } }[] } } } }).components.schemas.event.oneOf.map(
      (v) => v.properties.event_type.enum[0]!,
    ),
  );
  const hours = (h: number) => new Date(t.clock.ms + h * 3_600_000).toISOString();

  before(async () => {
    t = await TestServer.start({ brand: { logo_url: null }, propertyTimeZone: 'Europe/Lisbon' });
  });
  after(() => t.close());

  test('maps every event type it records onto Seam’s, except the documented instant key ones', () => {
    for (const type of EVENT_TYPES) assert.ok(seamEventTypes.has(type) || (OWN_EVENT_TYPES as string[]).includes(type), type);
    assert.deepEqual(OWN_EVENT_TYPES, ['instant_key.created', 'instant_key.used', 'instant_key.use_denied', 'instant_key.revoked']);
  });

  test('user identities: create, get by id and key, paginated and filtered list, delete, and their errors', async () => {
    const ada = (await call('/user_identities/create', { full_name: 'Ada Lovelace', email_address: 'ada@example.com', user_identity_key: 'guest-ada' })).body.user_identity;
    await call('/user_identities/create', { full_name: 'Grace Hopper', phone_number: '+15555550101' });
    await call('/user_identities/get', { user_identity_id: ada.user_identity_id }, 'GET');
    await call('/user_identities/get', { user_identity_key: 'guest-ada' });
    const page = await call('/user_identities/list', { limit: 1 }, 'GET');
    assert.equal(page.body.pagination.has_next_page, true);
    await call('/user_identities/list', { limit: 1, page_cursor: page.body.pagination.next_page_cursor }, 'GET');
    await call('/user_identities/list', { search: 'hopper', user_identity_ids: [ada.user_identity_id] });
    assert.equal((await call('/user_identities/create', { email_address: 'ADA@example.com' })).status, 409);
    assert.equal((await call('/user_identities/get', { user_identity_id: crypto.randomUUID() })).status, 404);
    assert.equal((await call('/user_identities/list', { credential_manager_acs_system_id: crypto.randomUUID() })).status, 400);
    const doomed = (await call('/user_identities/create', {})).body.user_identity;
    await call('/user_identities/delete', { user_identity_id: doomed.user_identity_id }, 'DELETE');
    assert.equal((await call('/user_identities/delete', { user_identity_id: 'nope' })).status, 400);
  });

  test('entrances, profiles, grants, keys and events: every route, successes and errors', async () => {
    const room = (await call('/acs/entrances/create', { display_name: 'Room 412', kind: 'guest_room', floor: '4', room_type: 'Deluxe king' })).body.acs_entrance;
    const pool = (await call('/acs/entrances/create', { display_name: 'Pool', kind: 'amenity', hours: '07:00-22:00', location: 'Level 2, east wing' })).body.acs_entrance;
    assert.equal((await call('/acs/entrances/create', { display_name: 'Spa\u202e', kind: 'amenity' })).status, 400);
    await call('/acs/entrances/get', { acs_entrance_id: room.acs_entrance_id }, 'GET');
    assert.equal((await call('/acs/entrances/get', { acs_entrance_id: crypto.randomUUID() })).status, 404);
    const entrances = await call('/acs/entrances/list', { limit: 1 }, 'GET');
    await call('/acs/entrances/list', { page_cursor: entrances.body.pagination.next_page_cursor, limit: 1 }, 'GET');
    await call('/acs/entrances/list', { acs_entrance_ids: [pool.acs_entrance_id], search: 'po' });
    assert.equal((await call('/acs/entrances/list', { space_id: crypto.randomUUID() })).status, 400);

    const profile = (await call('/workspaces/customization_profiles/create', { name: 'Aurora', primary_color: '#112233', hotel_name: 'Hotel Aurora' })).body.customization_profile;
    await call('/workspaces/customization_profiles/get', { customization_profile_id: profile.customization_profile_id }, 'GET');
    await call('/workspaces/customization_profiles/list', {}, 'GET');
    await call('/workspaces/customization_profiles/update', { customization_profile_id: profile.customization_profile_id, secondary_color: '#ffeedd' }, 'PATCH');
    assert.equal((await call('/workspaces/customization_profiles/create', { message_overrides: {} })).status, 400);
    assert.equal((await call('/workspaces/customization_profiles/get', { customization_profile_id: crypto.randomUUID() })).status, 404);
    assert.equal((await call('/workspaces/customization_profiles/list', { customer_key: 'x' })).status, 400);
    assert.equal((await call('/workspaces/customization_profiles/update', { customization_profile_id: crypto.randomUUID() })).status, 404);

    const grant = (
      await call('/access_grants/create', {
        user_identity: { full_name: 'Katherine Johnson', email_address: 'katherine@example.com' },
        acs_entrance_ids: [room.acs_entrance_id, pool.acs_entrance_id],
        starts_at: hours(-1),
        name: 'Stay 1234',
        access_grant_key: 'booking-1234',
        customization_profile_id: profile.customization_profile_id,
        requested_access_methods: [{ mode: 'mobile_key', instant_key_max_use_count: 2 }],
      })
    ).body.access_grant;
    assert.equal(grant.ends_at, null, 'open-ended');
    assert.match(grant.instant_key_url, /\/k#ik_/);
    await call('/access_grants/get', { access_grant_key: 'booking-1234' }, 'GET');
    await call('/access_grants/update', { access_grant_id: grant.access_grant_id, ends_at: hours(48), name: null }, 'PATCH');
    await call('/access_grants/update', { access_grant_key: 'booking-1234', acs_entrance_ids: [room.acs_entrance_id] });
    await call('/access_grants/list', { user_identity_id: grant.user_identity_id, access_grant_ids: [grant.access_grant_id], limit: 1 }, 'GET');
    await call('/access_grants/list', { access_grant_key: 'booking-1234', acs_entrance_id: room.acs_entrance_id });
    assert.equal((await call('/access_grants/create', { user_identity_id: grant.user_identity_id, acs_entrance_ids: [room.acs_entrance_id], requested_access_methods: [{ mode: 'mobile_key' }], access_grant_key: 'booking-1234' })).status, 409);
    assert.equal((await call('/access_grants/create', { user_identity_id: grant.user_identity_id, space_ids: [crypto.randomUUID()], requested_access_methods: [{ mode: 'mobile_key' }] })).status, 400);
    assert.equal((await call('/access_grants/get', { access_grant_id: crypto.randomUUID() })).status, 404);
    assert.equal((await call('/access_grants/update', { access_grant_id: crypto.randomUUID(), name: 'x' })).status, 404);
    assert.equal((await call('/access_grants/list', { reservation_key: 'x' })).status, 400);

    const key = (
      await call('/user_identities/generate_instant_key', {
        user_identity_id: grant.user_identity_id,
        max_use_count: 1,
        customization_profile_id: profile.customization_profile_id,
        check_in_at: hours(2),
        check_out_at: hours(48),
        time_zone: 'Europe/Lisbon',
        ticket_ttl_s: 600,
      })
    ).body.instant_key;
    assert.equal(key.customization.logo_url, undefined, 'no logo: absent, never null');
    assert.equal((await call('/user_identities/generate_instant_key', { user_identity_id: grant.user_identity_id, time_zone: 'Mars/Olympus' })).status, 400);
    assert.equal((await t.credentials(key.instant_key_url.split('#')[1])).status, 200);
    await call('/instant_keys/get', { instant_key_id: key.instant_key_id }, 'GET');
    await call('/instant_keys/get', { instant_key_url: key.instant_key_url });
    assert.equal((await call('/instant_keys/get', { instant_key_url: key.instant_key_url }, 'GET')).status, 400, 'no token in a query string');
    await call('/instant_keys/list', { user_identity_id: grant.user_identity_id }, 'GET');
    assert.equal((await call('/instant_keys/get', { instant_key_id: crypto.randomUUID() })).status, 404);
    assert.equal((await call('/instant_keys/list', { user_identity_id: 'x' })).status, 400);

    const events = await call('/events/list', { access_grant_id: grant.access_grant_id }, 'GET');
    assert.deepEqual(
      events.body.events.map((e: { event_type: string }) => e.event_type),
      ['access_grant.created', 'access_grant.access_times_changed', 'access_grant.access_to_door_lost'],
    );
    await call('/events/list', { event_types: ['instant_key.created', 'instant_key.used'], between: [hours(-10), hours(10)], limit: 1 });
    await call('/events/list', {}, 'GET');
    assert.equal((await call('/events/list', { event_type: 'lock.unlocked' })).status, 400);
    assert.equal((await call('/events/list', { device_id: crypto.randomUUID() })).status, 400);

    await call('/instant_keys/delete', { instant_key_id: key.instant_key_id }, 'DELETE');
    assert.equal((await call('/instant_keys/delete', { instant_key_id: crypto.randomUUID() })).status, 404);
    await call('/access_grants/delete', { access_grant_id: grant.access_grant_id }, 'DELETE');
    assert.equal((await call('/access_grants/delete', { access_grant_id: grant.access_grant_id })).status, 404);
  });

  test('knows every parameter Seam documents for the routes it serves: honoured, or refused as not supported', async () => {
    const paramsOf = (schema: any): Record<string, any> =>
      schema?.allOf || schema?.oneOf ? Object.assign({}, ...(schema.allOf ?? schema.oneOf).map(paramsOf)) : (schema?.properties ?? {});
    let count = 0;
    for (const { path } of documentedOperations()) {
      const op = (openapi as any).paths[path]?.post;
      if (!op) continue;
      for (const [name, schema] of Object.entries<any>(paramsOf(op.requestBody?.content?.['application/json']?.schema))) {
        const sample = schema.type === 'array' ? [] : schema.type === 'integer' || schema.type === 'number' ? 1 : schema.type === 'object' ? {} : 'x';
        const res = await t.post(path, { [name]: sample });
        const messages: string[] = res.body?.error?.validation_errors?.[name]?._errors ?? [];
        assert.ok(!messages.includes('Unknown parameter'), `${path} does not know Seam's ${name}`);
        count++;
      }
    }
    assert.ok(count > 100, `checked ${count} parameters`);
  });

  test('a wrong API key gets an error Seam’s SDK reads as unauthorized', async () => {
    const res = await t.request('GET', '/user_identities/list', { headers: { authorization: 'Bearer seam_wrong_0123456789' } });
    assert.equal(res.status, 401);
    assert.ok(seamError(res.body), ajv.errorsText(seamError.errors));
  });

  test('covered every admin route with a success and an error', () => {
    const admin = documentedOperations().map((o) => o.path).filter((p) => p !== '/instant_keys/credentials' && p !== '/openapi.json');
    for (const path of admin) assert.deepEqual([...(checked.get(path) ?? [])].sort(), ['error', 'success'], path);
  });
});

/** Query parameters as the Seam SDK serializes them (lists as repeated keys). */
function query(params: Record<string, unknown>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of [v].flat()) qs.append(k, String(item));
  return qs.toString();
}
