import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { createIdentity, deleteIdentity, getIdentity, listIdentities } from '../store/identities.ts';
import { adminRoute } from './admin-route.ts';

/** `/user_identities/create|get|list|delete`. */
export function userIdentityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  adminRoute(app, ctx, '/user_identities/create', (input, now) => {
    const fields = {
      full_name: input.string('full_name', { max: 200 }),
      email_address: input.email('email_address'),
      phone_number: input.phone('phone_number'),
      user_identity_key: input.string('user_identity_key', { max: 200 }),
    };
    input.done();
    return { user_identity: createIdentity(db, now, fields) };
  });
  adminRoute(app, ctx, '/user_identities/get', (input) => {
    const id = input.uuid('user_identity_id', { required: true });
    input.done();
    return { user_identity: getIdentity(db, id) };
  });
  adminRoute(app, ctx, '/user_identities/list', () => ({ user_identities: listIdentities(db) }));
  adminRoute(app, ctx, '/user_identities/delete', (input, now) => {
    const id = input.uuid('user_identity_id', { required: true });
    input.done();
    deleteIdentity(db, now, id);
    return {};
  });
}
