import type { FastifyReply, FastifyRequest } from 'fastify';

/** Headers the element sends to the credential endpoint (api.md section 2, and its DPoP proof). */
const ALLOW_HEADERS = 'Authorization, DPoP, If-None-Match';
/** `DPoP-Nonce`: the element reads it to sign again after a nonce challenge (RFC 9449 section 8). */
const EXPOSE_HEADERS = 'ETag, Retry-After, DPoP-Nonce';

/**
 * CORS for the credential endpoint only: an allowed `Origin` is echoed back (never `*`);
 * any other origin gets no CORS headers, so the browser withholds the answer.
 */
export class CredentialCors {
  constructor(private readonly allowed: () => ReadonlySet<string>) {}

  /** Adds the headers of an actual (non-preflight) answer; call before sending, errors included. */
  decorate(request: FastifyRequest, reply: FastifyReply): void {
    reply.header('vary', 'Origin');
    const origin = this.allowedOrigin(request);
    if (origin === null) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', EXPOSE_HEADERS);
  }

  /** Answers a preflight: 204, with CORS headers only for an allowed origin. */
  preflight(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    reply.header('vary', 'Origin');
    const origin = this.allowedOrigin(request);
    if (origin !== null) {
      reply.headers({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, OPTIONS',
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': '600',
      });
    }
    return reply.code(204).send();
  }

  private allowedOrigin(request: FastifyRequest): string | null {
    const origin = request.headers.origin;
    return typeof origin === 'string' && this.allowed().has(origin) ? origin : null;
  }
}
