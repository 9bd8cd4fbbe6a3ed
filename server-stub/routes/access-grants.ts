import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { createGrant, deleteGrant, getGrant, listGrants, updateGrant } from '../store/grants.ts';
import { adminRoute } from './admin-route.ts';

/** `/access_grants/create|update|get|list|delete`. */
export function accessGrantRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  adminRoute(app, ctx, '/access_grants/create', (input, now) => {
    const user_identity_id = input.uuid('user_identity_id', { required: true });
    const acs_entrance_ids = input.uuidList('acs_entrance_ids', { required: true });
    const starts_at = input.time('starts_at', { required: true });
    const ends_at = input.time('ends_at', { required: true });
    for (const method of input.objectList('requested_access_methods', { required: true }) ?? []) {
      method.oneOf('mode', ['mobile_key'], { required: true });
    }
    input.done();
    return { access_grant: createGrant(db, now, { user_identity_id, acs_entrance_ids, starts_at, ends_at }) };
  });
  adminRoute(app, ctx, '/access_grants/update', (input, now) => {
    const id = input.uuid('access_grant_id', { required: true });
    const changes = {
      acs_entrance_ids: input.uuidList('acs_entrance_ids'),
      starts_at: input.time('starts_at'),
      ends_at: input.time('ends_at'),
    };
    input.done();
    return { access_grant: updateGrant(db, now, id, changes) };
  }, { update: true });
  adminRoute(app, ctx, '/access_grants/get', (input) => {
    const id = input.uuid('access_grant_id', { required: true });
    input.done();
    return { access_grant: getGrant(db, id) };
  });
  adminRoute(app, ctx, '/access_grants/list', (input) => {
    const filter = { user_identity_id: input.uuid('user_identity_id'), acs_entrance_id: input.uuid('acs_entrance_id') };
    input.done();
    return { access_grants: listGrants(db, filter) };
  });
  adminRoute(app, ctx, '/access_grants/delete', (input, now) => {
    const id = input.uuid('access_grant_id', { required: true });
    input.done();
    deleteGrant(db, now, id);
    return {};
  });
}
