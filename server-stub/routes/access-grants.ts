import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { OPEN_ENDED, type GrantRef } from '../store/grants.ts';
import { readPage } from '../store/pagination.ts';
import { DAY_MS } from '../time.ts';
import type { Input } from '../validation.ts';
import { adminRoute } from './admin-route.ts';
import { idOrKey, readIdentityFields } from './user-identities.ts';

/** Seam's ways to name doors and bookings that this server does not have: refused by name. */
const UNSUPPORTED_CREATE = ['device_ids', 'location', 'location_ids', 'reservation_key', 'space_ids', 'space_keys'];
const UNSUPPORTED_LIST = ['access_code_id', 'customer_key', 'device_id', 'location_id', 'reservation_key', 'space_id'];

/** Reads the grant named by `access_grant_id` or `access_grant_key`. */
function grantRef(input: Input): GrantRef | undefined {
  return idOrKey(input, 'access_grant_id', 'access_grant_key');
}

/** `/access_grants/create|update|get|list|delete`. */
export function accessGrantRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store } = ctx;
  adminRoute(app, ctx, '/access_grants/create', async (input, now) => {
    const inline = input.object('user_identity');
    const user_identity = inline ? readIdentityFields(inline) : undefined;
    const user_identity_id = inline ? input.uuid('user_identity_id') : input.uuid('user_identity_id', { required: true });
    if (inline && user_identity_id !== undefined) input.fail(undefined, 'Send user_identity_id or user_identity, not both');
    const acs_entrance_ids = input.uuidList('acs_entrance_ids', { required: true });
    const starts_at = input.time('starts_at') ?? now;
    const ends_at = input.time('ends_at');
    let instant_key_max_use_count: number | undefined;
    for (const method of input.objectList('requested_access_methods', { required: true }) ?? []) {
      method.oneOf('mode', ['mobile_key'], { required: true });
      instant_key_max_use_count = method.integer('instant_key_max_use_count', { min: 1, max: 1_000_000 }) ?? instant_key_max_use_count;
      method.unsupported(['code']);
    }
    const fields = {
      name: input.string('name', { max: 200 }),
      access_grant_key: input.string('access_grant_key', { max: 200 }),
      customization_profile_id: input.uuid('customization_profile_id'),
      instant_key_max_use_count,
    };
    input.unsupported(UNSUPPORTED_CREATE);
    input.done();
    // As on Seam, a mobile key with a use count issues the guest's link with the grant.
    const key = instant_key_max_use_count === undefined
      ? undefined
      : { expires_at: Math.min(ends_at ?? OPEN_ENDED, now + 365 * DAY_MS), max_use_count: instant_key_max_use_count, customization_profile_id: fields.customization_profile_id };
    const grant = await store.grants.create(now, { user_identity_id, user_identity, acs_entrance_ids, starts_at, ends_at, ...fields }, key, ctx.publicBaseUrl);
    return { access_grant: grant };
  });
  adminRoute(app, ctx, '/access_grants/update', async (input, now) => {
    const ref = grantRef(input);
    const changes = {
      acs_entrance_ids: input.uuidList('acs_entrance_ids'),
      starts_at: input.time('starts_at'),
      ends_at: input.isNull('ends_at') ? null : input.time('ends_at'),
      name: input.isNull('name') ? null : input.string('name', { max: 200 }),
    };
    input.done();
    return { access_grant: await store.grants.update(now, ref!, changes) };
  }, { update: true });
  adminRoute(app, ctx, '/access_grants/get', async (input) => {
    const ref = grantRef(input);
    input.done();
    return { access_grant: await store.grants.get(ref!) };
  });
  adminRoute(app, ctx, '/access_grants/list', async (input) => {
    const acs_system_id = input.uuid('acs_system_id');
    const filter = {
      user_identity_id: input.uuid('user_identity_id'),
      acs_entrance_id: input.uuid('acs_entrance_id'),
      access_grant_ids: input.uuidList('access_grant_ids', { max: 1000 }),
      access_grant_key: input.string('access_grant_key', { max: 200 }),
    };
    input.unsupported(UNSUPPORTED_LIST);
    const page = readPage(input, '/access_grants/list', { ...filter, acs_system_id }, ctx.publicBaseUrl, { limit: 500, max: 1000 });
    input.done();
    const matches = acs_system_id === undefined || acs_system_id === (await store.workspace()).acs_system_id;
    const { items, pagination } = await store.grants.list({ ...filter, matches }, page);
    return { access_grants: items, pagination };
  });
  adminRoute(app, ctx, '/access_grants/delete', async (input, now) => {
    const id = input.uuid('access_grant_id', { required: true });
    input.done();
    await store.grants.delete(now, { access_grant_id: id });
    return {};
  });
}
