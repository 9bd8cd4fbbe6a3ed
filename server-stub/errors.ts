import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isStoreUnavailable } from './db.ts';

/** Seam's validation error tree: `{ _errors: [], field: { _errors: ["…"] } }`. */
export interface ValidationErrors {
  _errors: string[];
  [field: string]: ValidationErrors | string[];
}

/** An error answered as `{ error: { type, message, … } }` with `status`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly validationErrors?: ValidationErrors,
    /** Extra response headers, such as `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400 `invalid_input`, optionally with per-field errors. */
export function invalidInput(message: string, validationErrors?: ValidationErrors): ApiError {
  return new ApiError(400, 'invalid_input', message, validationErrors);
}

/** 404 `<resource>_not_found`. */
export function notFound(resource: string): ApiError {
  return new ApiError(404, `${resource}_not_found`, `${resource.replaceAll('_', ' ')} not found`);
}

/** 401 `unauthorized` for the admin API. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'unauthorized', 'Missing or invalid API key');
}

/** 405 `method_not_allowed`. */
export function methodNotAllowed(method: string, allowed: string[]): ApiError {
  return new ApiError(405, 'method_not_allowed', `${method} is not allowed here`, undefined, { allow: allowed.join(', ') });
}

/** 429 `rate_limited` telling the client when to retry. */
export function rateLimited(retryAfterS: number): ApiError {
  return new ApiError(429, 'rate_limited', 'Too many requests; retry later', undefined, { 'retry-after': String(retryAfterS) });
}

/** Sends an {@link ApiError} in Seam's shape. */
export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  const error: Record<string, unknown> = { type: err.type, message: err.message, request_id: reply.request.id };
  if (err.validationErrors) error['validation_errors'] = err.validationErrors;
  return reply.code(err.status).headers(err.headers).send({ error });
}

/** Fastify's own 4xx (body parsing, size, media type) mapped to Seam-shaped types. */
const FASTIFY_CODES: Record<number, string> = {
  400: 'invalid_input',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Answers every error in Seam's shape. Messages of unexpected errors are logged, never sent:
 * they could carry internals.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) return sendError(reply, err);
    if (isStoreUnavailable(err)) {
      request.log.warn({ code: (err as { code?: string }).code }, 'store unavailable (locked by another process, or closing)');
      return sendError(reply, new ApiError(503, 'service_unavailable', 'The store is briefly unavailable; retry shortly', undefined, { 'retry-after': '1' }));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const type = FASTIFY_CODES[status] ?? 'invalid_request';
      // Fastify's own messages can quote the request; only its 413/415 texts are fixed.
      const message = status === 413 || status === 415 ? err.message : 'The request could not be read';
      return sendError(reply, new ApiError(status, type, message));
    }
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, new ApiError(500, 'internal_server_error', 'Internal server error'));
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, new ApiError(404, 'route_not_found', 'Route not found')));
}
