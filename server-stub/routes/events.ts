import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { EVENT_TYPES, type EventType } from '../events.ts';
import { readPage } from '../store/pagination.ts';
import { parseIsoTime } from '../validation.ts';
import { adminRoute } from './admin-route.ts';

/** Seam's filters on resources this server does not have: refused by name. */
const UNSUPPORTED = [
  'access_code_id', 'access_code_ids', 'access_method_id', 'access_method_ids', 'acs_access_group_id', 'acs_credential_id',
  'acs_encoder_id', 'acs_system_id', 'acs_system_ids', 'acs_user_id', 'connect_webview_id', 'connected_account_id',
  'customer_key', 'device_id', 'device_ids', 'space_id', 'space_ids',
];

/** `/events/list`: oldest first, `since` inclusive, `between` as [from, to). */
export function eventRoutes(app: FastifyInstance, ctx: AppContext): void {
  adminRoute(app, ctx, '/events/list', async (input) => {
    const one = input.uuid('access_grant_id');
    const many = input.uuidList('access_grant_ids', { max: 1000 });
    const type = input.oneOf('event_type', EVENT_TYPES);
    const types = input.stringList('event_types', { max: EVENT_TYPES.length });
    types?.forEach((t, i) => (EVENT_TYPES as readonly string[]).includes(t) || input.fail('event_types', `Item ${i} must be one of: ${EVENT_TYPES.join(', ')}`));
    const since = input.time('since');
    const between = input.stringList('between', { max: 2 })?.map((t) => parseIsoTime(t));
    if (between && (between.length !== 2 || between.some((t) => t === undefined) || between[0]! >= between[1]!)) {
      input.fail('between', 'Must be two ISO 8601 date-times, the first before the second');
    }
    if (since !== undefined && between) input.fail('since', 'Send since or between, not both');
    const filter = {
      instant_key_id: input.uuid('instant_key_id'),
      user_identity_id: input.uuid('user_identity_id'),
      acs_entrance_id: input.uuid('acs_entrance_id'),
      event_ids: input.uuidList('event_ids', { max: 1000 }),
      access_grant_ids: one || many ? [...new Set([...(one ? [one] : []), ...(many ?? [])])] : undefined,
      event_types: type || types ? [...new Set([...(type ? [type] : []), ...((types ?? []) as EventType[])])] : undefined,
      since: since ?? between?.[0],
      before: between?.[1],
    };
    const offset = input.integer('unstable_offset', { min: 0, max: 1_000_000 }) ?? 0;
    input.unsupported(UNSUPPORTED);
    const page = readPage(
      input,
      '/events/list',
      {
        ...filter,
        since: input.string('since'),
        before: undefined,
        between: input.stringList('between', { max: 2 }),
        unstable_offset: offset || undefined,
      },
      ctx.publicBaseUrl,
      { limit: 1000, max: 10_000 },
    );
    input.done();
    const { items, pagination } = await ctx.store.events.list(filter, page, page.after ? 0 : offset);
    return { events: items, pagination };
  });
}
