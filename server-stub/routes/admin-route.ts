import type { FastifyInstance } from 'fastify';
import { requireApiKey } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { invalidInput, methodNotAllowed } from '../errors.ts';
import { Input } from '../validation.ts';

/** Methods routed to handlers so that the rest can be answered 405 rather than 404. */
export const ROUTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const ADMIN_METHODS = ['GET', 'POST', 'DELETE'];

/** A handler's result: the keys to answer beside `ok: true`. */
export type AdminResult = Record<string, unknown>;

/**
 * Registers an admin route the way the Seam SDK calls it: POST with a JSON body, or GET and
 * DELETE with query parameters (api.md section 4). The API key is checked before anything
 * else; the handler reads its parameters through {@link Input} and runs synchronously.
 */
export function adminRoute(
  app: FastifyInstance,
  ctx: AppContext,
  url: string,
  handler: (input: Input, now: number) => AdminResult,
): void {
  app.route({
    method: [...ROUTED_METHODS],
    url,
    onRequest: requireApiKey(ctx.config.apiKey),
    handler: async (request) => {
      if (!ADMIN_METHODS.includes(request.method)) throw methodNotAllowed(request.method, ADMIN_METHODS);
      const raw = request.method === 'POST' ? (request.body ?? {}) : request.query;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidInput('The request body must be a JSON object');
      return { ok: true, ...handler(new Input(raw as Record<string, unknown>), ctx.config.clock()) };
    },
  });
}
