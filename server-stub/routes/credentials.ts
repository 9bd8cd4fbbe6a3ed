import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { CredentialCors } from '../cors.ts';
import { etagMatches, mintCredentials, planCredentials } from '../credentials.ts';
import { ApiError, invalidInput, methodNotAllowed, rateLimited } from '../errors.ts';
import { CredentialRateLimits } from '../rate-limit.ts';
import { useInstantKey, type KeyRefusal } from '../store/instant-keys.ts';
import { isInstantKeyToken, parseBearer, sha256 } from '../tokens.ts';
import { ROUTED_METHODS } from './admin-route.ts';

const DEVICE_RE = /^[A-Za-z0-9._:~-]{1,128}$/;

const invalidKey = () => new ApiError(401, 'instant_key_invalid', 'This instant key is not valid');

/** The answer to a known key that was refused (its `use_denied` event is already recorded). */
const REFUSALS: Record<KeyRefusal, () => ApiError> = {
  revoked: () => new ApiError(410, 'instant_key_revoked', 'This instant key has been revoked'),
  expired: () => new ApiError(401, 'instant_key_expired', 'This instant key has expired'),
  max_use_count_exceeded: () => new ApiError(403, 'max_use_count_exceeded', 'This instant key is already in use on its maximum number of devices'),
};

/**
 * `GET /instant_keys/credentials` (api.md section 2), checks in the documented order: rate
 * limit, header syntax, token, revoked, expired, device limit.
 */
export function credentialRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, config } = ctx;
  const limits = new CredentialRateLimits(config.rateLimit);
  let origins: { base: string; set: ReadonlySet<string> } | undefined;
  // The server's own origin joins ALLOWED_ORIGINS; recomputed if the public URL is set late.
  const cors = new CredentialCors(() => {
    if (origins?.base !== ctx.publicBaseUrl) {
      origins = { base: ctx.publicBaseUrl, set: new Set([new URL(ctx.publicBaseUrl).origin, ...config.allowedOrigins]) };
    }
    return origins.set;
  });

  const getCredentials = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'private, no-store');
    const now = config.clock();

    // A well-formed token is charged to its own budget, keyed by the token's hash (no raw token
    // is kept, and spelling the header differently does not buy a fresh budget); anything else
    // to its address's junk budget, which a guest's token never depends on (rate-limit.ts).
    const bearer = parseBearer(request.headers.authorization);
    const tokenKey = bearer.kind === 'bearer' && isInstantKeyToken(bearer.token) ? sha256(bearer.token).toString('base64') : null;
    const retryAfter = limits.charge(request.ip, tokenKey, now);
    if (retryAfter > 0) throw rateLimited(retryAfter);

    if (bearer.kind === 'malformed') {
      throw invalidInput('Authorization must be "Bearer <token>"', { _errors: [], authorization: { _errors: ['Expected "Bearer <token>"'] } });
    }
    const deviceId = request.headers['instant-key-device'];
    if (typeof deviceId !== 'string' || !DEVICE_RE.test(deviceId)) {
      throw invalidInput('Instant-Key-Device must be 1-128 of A-Za-z0-9._:~-', {
        _errors: [],
        'instant-key-device': { _errors: ['Required: 1-128 of A-Za-z0-9._:~-'] },
      });
    }
    if (bearer.kind !== 'bearer' || !isInstantKeyToken(bearer.token) || tokenKey === null) throw invalidKey();

    // Revocation, expiry and admission are decided in the same transaction that records the
    // use, and the answer goes out only once that transaction has committed. A first
    // admission changes who may use the key: its commit must also reach the disk.
    const device = { device_id: deviceId, user_agent: request.headers['user-agent'] };
    const durable = ctx.keys.mayAdmit(tokenKey, deviceId);
    const use = await ctx.writes.run(() => useInstantKey(db, now, tokenKey, device, ctx.keys), { durable });
    if (use.outcome === 'invalid') {
      const wait = limits.chargeUnknownToken(request.ip, now);
      throw wait > 0 ? rateLimited(wait) : invalidKey();
    }
    if (use.outcome !== 'admitted') throw REFUSALS[use.outcome]();
    ctx.keys.rememberAdmitted(use.key.instant_key_id, deviceId);

    let plan = ctx.plans.get(use.key.instant_key_id, now);
    if (!plan) ctx.plans.set(use.key.instant_key_id, now, (plan = planCredentials(db, config, use.key, now)));
    reply.header('etag', plan.etag);
    if (etagMatches(request.headers['if-none-match'], plan.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(mintCredentials(plan, config, use.key, now));
  };

  app.route({
    method: [...ROUTED_METHODS],
    url: '/instant_keys/credentials',
    // Every answer carries CORS headers, errors included (a callback hook: no promise per request).
    onRequest: (request, reply, done) => {
      if (request.method !== 'OPTIONS') cors.decorate(request, reply);
      done();
    },
    handler: async (request, reply) => {
      if (request.method === 'OPTIONS') return cors.preflight(request, reply);
      if (request.method !== 'GET') throw methodNotAllowed(request.method, ['GET', 'OPTIONS']);
      return getCredentials(request, reply);
    },
  });
}
