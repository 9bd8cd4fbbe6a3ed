import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { readPage } from '../store/pagination.ts';
import type { NewIdentity } from '../store/identities.ts';
import type { Input } from '../validation.ts';
import { adminRoute } from './admin-route.ts';

/** Reads an identity's fields (also the inline `user_identity` of `/access_grants/create`). */
export function readIdentityFields(input: Input): NewIdentity {
  return {
    full_name: input.string('full_name', { max: 200 }),
    email_address: input.email('email_address'),
    phone_number: input.phone('phone_number'),
    user_identity_key: input.string('user_identity_key', { max: 200 }),
  };
}

/** Reads the one of `id` or `key` a Seam get route takes (exactly one, never both). */
export function idOrKey<I extends string, K extends string>(input: Input, id: I, key: K): { [P in I]: string } | { [P in K]: string } | undefined {
  const hasKey = input.has(key);
  if (input.has(id) && hasKey) return input.fail(undefined, `Send ${id} or ${key}, not both`), undefined;
  if (hasKey) {
    const value = input.string(key, { max: 200 });
    return value === undefined ? undefined : ({ [key]: value } as { [P in K]: string });
  }
  const value = input.uuid(id, { required: true });
  return value === undefined ? undefined : ({ [id]: value } as { [P in I]: string });
}

/** `/user_identities/create|get|list|delete`. */
export function userIdentityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store } = ctx;
  adminRoute(app, ctx, '/user_identities/create', async (input, now) => {
    const fields = readIdentityFields(input);
    input.unsupported(['acs_system_ids']);
    input.done();
    return { user_identity: await store.identities.create(now, fields) };
  });
  adminRoute(app, ctx, '/user_identities/get', async (input) => {
    const by = idOrKey(input, 'user_identity_id', 'user_identity_key');
    input.done();
    return { user_identity: await store.identities.get(by!) };
  });
  adminRoute(app, ctx, '/user_identities/list', async (input) => {
    const filter = {
      user_identity_ids: input.uuidList('user_identity_ids', { max: 1000 }),
      search: input.string('search', { max: 200 }),
      created_before: input.time('created_before'),
    };
    input.unsupported(['credential_manager_acs_system_id']);
    const page = readPage(input, '/user_identities/list', { ...filter, created_before: input.string('created_before') }, ctx.publicBaseUrl, { limit: 500, max: 1000 });
    input.done();
    const { items, pagination } = await store.identities.list(filter, page);
    return { user_identities: items, pagination };
  });
  adminRoute(app, ctx, '/user_identities/delete', async (input, now) => {
    const id = input.uuid('user_identity_id', { required: true });
    input.done();
    await store.identities.delete(now, id);
    return {};
  });
}
