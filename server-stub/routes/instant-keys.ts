import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { readPage } from '../store/pagination.ts';
import type { NewInstantKey } from '../store/instant-keys.ts';
import { DAY_MS } from '../time.ts';
import type { Input } from '../validation.ts';
import { adminRoute } from './admin-route.ts';
import { readCustomization } from './customization-profiles.ts';

const DEFAULT_LIFETIME_MS = 30 * DAY_MS;
const MAX_LIFETIME_MS = 365 * DAY_MS;
/** Half of it is the refresh interval, which must be at least a second. */
const MIN_TICKET_TTL_S = 2;

/** Reads what a key is issued with besides its identity: limits, branding, ticket lifetime and stay. */
function readKeyOptions(input: Input, ctx: AppContext, now: number): Omit<NewInstantKey, 'user_identity_id'> {
  const expires_at = input.time('expires_at') ?? now + DEFAULT_LIFETIME_MS;
  if (expires_at <= now) input.fail('expires_at', 'Must be in the future');
  else if (expires_at > now + MAX_LIFETIME_MS) input.fail('expires_at', 'Must be at most one year from now');
  // Beyond the server's cap (TICKET_TTL_S) is refused, not clamped: the issuer asked for an
  // offline window it would not get.
  const ticket_ttl_s = input.integer('ticket_ttl_s', { min: MIN_TICKET_TTL_S, max: ctx.config.ticketTtlS });
  const check_in_at = input.time('check_in_at');
  const check_out_at = input.time('check_out_at');
  if (check_in_at !== undefined && check_out_at !== undefined && check_out_at <= check_in_at) input.fail('check_out_at', 'Must be after check_in_at');
  const custom = input.object('customization');
  return {
    expires_at,
    max_use_count: input.integer('max_use_count', { min: 1, max: 1_000_000 }),
    customization: custom ? readCustomization(custom) : {},
    customization_profile_id: input.uuid('customization_profile_id'),
    ticket_ttl_s,
    check_in_at,
    check_out_at,
    time_zone: input.timeZone('time_zone'),
  };
}

/** `/user_identities/generate_instant_key` and `/instant_keys/get|list|delete`. */
export function instantKeyRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store } = ctx;
  adminRoute(app, ctx, '/user_identities/generate_instant_key', async (input, now) => {
    const user_identity_id = input.uuid('user_identity_id', { required: true });
    const options = readKeyOptions(input, ctx, now);
    input.done();
    return { instant_key: await store.instantKeys.generate(now, { user_identity_id, ...options }, ctx.publicBaseUrl) };
  });
  adminRoute(app, ctx, '/instant_keys/get', async (input, _now, method) => {
    const url = input.string('instant_key_url', { max: 2048 });
    const id = url === undefined ? input.uuid('instant_key_id', { required: true }) : input.uuid('instant_key_id');
    if (url !== undefined && id !== undefined) input.fail(undefined, 'Send instant_key_id or instant_key_url, not both');
    // A link in a query string would travel in the request line, which proxies and access logs keep.
    if (url !== undefined && method !== 'POST') input.fail('instant_key_url', 'Send instant_key_url in a POST body: it holds the key’s token');
    const token = url === undefined ? undefined : tokenOf(url);
    if (url !== undefined && token === undefined) input.fail('instant_key_url', 'Must be an instant key link, {base}/k#ik_…');
    input.done();
    return { instant_key: await store.instantKeys.get(token === undefined ? { instant_key_id: id! } : { token }, ctx.publicBaseUrl) };
  });
  adminRoute(app, ctx, '/instant_keys/list', async (input) => {
    const filter = { user_identity_id: input.uuid('user_identity_id') };
    const page = readPage(input, '/instant_keys/list', filter, ctx.publicBaseUrl, { limit: 500, max: 1000 });
    input.done();
    const { items, pagination } = await store.instantKeys.list(filter, ctx.publicBaseUrl, page);
    return { instant_keys: items, pagination };
  });
  adminRoute(app, ctx, '/instant_keys/delete', async (input, now) => {
    const id = input.uuid('instant_key_id', { required: true });
    input.done();
    await store.instantKeys.revoke(now, id);
    return {};
  });
}

/** The token in a key link's fragment, or `undefined` when `url` is no such link. */
function tokenOf(url: string): string | undefined {
  try {
    const token = new URL(url).hash.slice(1);
    return token.startsWith('ik_') ? token : undefined;
  } catch {
    return undefined;
  }
}
