import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { listEvents } from '../events.ts';
import { adminRoute } from './admin-route.ts';

/** `/events/list`: oldest first, `since` inclusive. */
export function eventRoutes(app: FastifyInstance, ctx: AppContext): void {
  adminRoute(app, ctx, '/events/list', (input) => {
    const filter = {
      instant_key_id: input.uuid('instant_key_id'),
      user_identity_id: input.uuid('user_identity_id'),
      since: input.time('since'),
      limit: input.integer('limit', { min: 1, max: 10_000 }) ?? 1000,
    };
    input.done();
    return { events: listEvents(ctx.db, filter) };
  });
}
