import type { FastifyInstance } from 'fastify';
import type { Brand } from '../config.ts';
import type { AppContext } from '../context.ts';
import { generateInstantKey, getInstantKey, listInstantKeys, revokeInstantKey } from '../store/instant-keys.ts';
import { DAY_MS } from '../time.ts';
import { adminRoute } from './admin-route.ts';

const DEFAULT_LIFETIME_MS = 30 * DAY_MS;
const MAX_LIFETIME_MS = 365 * DAY_MS;

/** `/user_identities/generate_instant_key` and `/instant_keys/get|list|delete`. */
export function instantKeyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, config } = ctx;
  adminRoute(app, ctx, '/user_identities/generate_instant_key', (input, now) => {
    const user_identity_id = input.uuid('user_identity_id', { required: true });
    const max_use_count = input.integer('max_use_count', { min: 1, max: 1_000_000 });
    const expires_at = input.time('expires_at') ?? now + DEFAULT_LIFETIME_MS;
    if (expires_at <= now) input.fail('expires_at', 'Must be in the future');
    else if (expires_at > now + MAX_LIFETIME_MS) input.fail('expires_at', 'Must be at most one year from now');
    const custom = input.object('customization');
    const customization: Partial<Brand> = {};
    const primary = custom?.color('primary_color');
    if (primary !== undefined) customization.primary_color = primary;
    const secondary = custom?.color('secondary_color');
    if (secondary !== undefined) customization.secondary_color = secondary;
    const logo = custom?.httpsUrl('logo_url');
    if (logo !== undefined) customization.logo_url = logo;
    input.done();
    return {
      instant_key: generateInstantKey(db, now, { user_identity_id, expires_at, max_use_count, customization }, config.brand, ctx.publicBaseUrl),
    };
  });
  adminRoute(app, ctx, '/instant_keys/get', (input) => {
    const id = input.uuid('instant_key_id', { required: true });
    input.done();
    return { instant_key: getInstantKey(db, id, config.brand) };
  });
  adminRoute(app, ctx, '/instant_keys/list', (input) => {
    const filter = { user_identity_id: input.uuid('user_identity_id') };
    input.done();
    return { instant_keys: listInstantKeys(db, filter, config.brand) };
  });
  adminRoute(app, ctx, '/instant_keys/delete', (input, now) => {
    const id = input.uuid('instant_key_id', { required: true });
    input.done();
    revokeInstantKey(db, now, id);
    return {};
  });
}
