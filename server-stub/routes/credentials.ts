import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { CredentialCors } from '../cors.ts';
import { etagMatches, mintCredentials, planCredentials } from '../credentials.ts';
import { ApiError, invalidInput, methodNotAllowed, rateLimited } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { RateLimiter } from '../rate-limit.ts';
import { admitDevice, findKeyByToken, type InstantKeyRow } from '../store/instant-keys.ts';
import { isInstantKeyToken, parseBearer, sha256 } from '../tokens.ts';
import { ROUTED_METHODS } from './admin-route.ts';

const DEVICE_RE = /^[A-Za-z0-9._:~-]{1,128}$/;

/**
 * `GET /instant_keys/credentials` (api.md section 2), checks in the documented order: rate
 * limit, header syntax, token, revoked, expired, device limit.
 */
export function credentialRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, config } = ctx;
  const perIp = new RateLimiter(config.rateLimit.perIp);
  const perToken = new RateLimiter(config.rateLimit.perToken);
  let origins: { base: string; set: ReadonlySet<string> } | undefined;
  // The server's own origin joins ALLOWED_ORIGINS; recomputed if the public URL is set late.
  const cors = new CredentialCors(() => {
    if (origins?.base !== ctx.publicBaseUrl) {
      origins = { base: ctx.publicBaseUrl, set: new Set([new URL(ctx.publicBaseUrl).origin, ...config.allowedOrigins]) };
    }
    return origins.set;
  });

  const deny = (key: InstantKeyRow, now: number, request: FastifyRequest, deviceId: string, reason: string, err: ApiError): ApiError => {
    recordEvent(db, now, 'instant_key.use_denied', {
      instant_key_id: key.instant_key_id,
      user_identity_id: key.user_identity_id,
      device_id: deviceId,
      user_agent: request.headers['user-agent'],
      reason,
    });
    return err;
  };

  const getCredentials = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'private, no-store');
    const now = config.clock();

    const authorization = request.headers.authorization;
    const retryAfter = perIp.hit(request.ip, now) || (typeof authorization === 'string' ? perToken.hit(sha256(authorization).toString('base64'), now) : 0);
    if (retryAfter > 0) throw rateLimited(retryAfter);

    const bearer = parseBearer(authorization);
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

    const key = bearer.kind === 'bearer' && isInstantKeyToken(bearer.token) ? findKeyByToken(db, bearer.token) : undefined;
    if (!key) throw new ApiError(401, 'instant_key_invalid', 'This instant key is not valid');
    if (key.revoked_at !== null) {
      throw deny(key, now, request, deviceId, 'revoked', new ApiError(410, 'instant_key_revoked', 'This instant key has been revoked'));
    }
    if (now >= key.expires_at) {
      throw deny(key, now, request, deviceId, 'expired', new ApiError(401, 'instant_key_expired', 'This instant key has expired'));
    }
    // Admission and its event commit together: an admitted device is always on record.
    const admitted = db.transaction(() => {
      if (!admitDevice(db, now, key, deviceId)) return false;
      recordEvent(db, now, 'instant_key.used', {
        instant_key_id: key.instant_key_id,
        user_identity_id: key.user_identity_id,
        device_id: deviceId,
        user_agent: request.headers['user-agent'],
      });
      return true;
    }).immediate();
    if (!admitted) {
      throw deny(key, now, request, deviceId, 'max_use_count_exceeded', new ApiError(403, 'max_use_count_exceeded', 'This instant key is already in use on its maximum number of devices'));
    }

    const plan = planCredentials(db, config, key, now);
    reply.header('etag', plan.etag);
    if (etagMatches(request.headers['if-none-match'], plan.etag)) return reply.code(304).send();
    return mintCredentials(plan, config, key, now);
  };

  app.route({
    method: [...ROUTED_METHODS],
    url: '/instant_keys/credentials',
    onRequest: async (request, reply) => {
      if (request.method !== 'OPTIONS') cors.decorate(request, reply);
    },
    handler: async (request, reply) => {
      if (request.method === 'OPTIONS') return cors.preflight(request, reply);
      if (request.method !== 'GET') throw methodNotAllowed(request.method, ['GET', 'OPTIONS']);
      return getCredentials(request, reply);
    },
  });
}
