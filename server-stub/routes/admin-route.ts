import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { invalidInput, methodNotAllowed } from '../errors.ts';
import { Input } from '../validation.ts';

/** Methods routed to handlers so that the rest can be answered 405 rather than 404. */
export const ROUTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** Methods whose parameters come as query parameters; the others send a JSON body. */
const QUERY_METHODS = ['GET', 'DELETE'];

/** A handler's result: the keys to answer beside `ok: true`. */
export type AdminResult = Record<string, unknown>;

/**
 * Registers an admin route the way the Seam SDK calls it: POST with a JSON body, or GET and
 * DELETE with query parameters (api.md section 4); `update` routes also take PATCH with a
 * JSON body, which is how `@seamapi/http` 1.x sends `/access_grants/update`. The API key is
 * checked before anything else; the handler reads its parameters through {@link Input} (which
 * refuses any it did not read) and calls the store.
 */
export function adminRoute(
  app: FastifyInstance,
  ctx: AppContext,
  url: string,
  handler: (input: Input, now: number, method: string) => Promise<AdminResult>,
  options: { update?: boolean } = {},
): void {
  const allowed = ['GET', 'POST', 'DELETE', ...(options.update ? ['PATCH'] : [])];
  app.route({
    method: [...ROUTED_METHODS],
    url,
    onRequest: ctx.adminAuth,
    handler: async (request) => {
      if (!allowed.includes(request.method)) throw methodNotAllowed(request.method, allowed);
      const query = QUERY_METHODS.includes(request.method);
      const raw = query ? request.query : (request.body ?? {});
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidInput('The request body must be a JSON object');
      return { ok: true, ...(await handler(new Input(raw as Record<string, unknown>, { query }), ctx.config.clock(), request.method)) };
    },
  });
}
