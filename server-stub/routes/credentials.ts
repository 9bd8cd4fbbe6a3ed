import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { CredentialCors } from '../cors.ts';
import { etagMatches, mintCredentials, planCredentials } from '../credentials.ts';
import { describeDevice } from '../device-description.ts';
import { DpopVerifier, normalizedHtu } from '../dpop.ts';
import { ApiError, invalidInput, methodNotAllowed, rateLimited } from '../errors.ts';
import { RateLimiter } from '../rate-limit.ts';
import { useInstantKey, type KeyRefusal } from '../store/instant-keys.ts';
import { isInstantKeyToken, parseBearer, sha256 } from '../tokens.ts';
import { ROUTED_METHODS } from './admin-route.ts';

const PATH = '/instant_keys/credentials';

const invalidKey = () => new ApiError(401, 'instant_key_invalid', 'This instant key is not valid');

/** The answer to a known key that was refused (its `use_denied` event is already recorded). */
const REFUSALS: Record<KeyRefusal, () => ApiError> = {
  revoked: () => new ApiError(410, 'instant_key_revoked', 'This instant key has been revoked'),
  expired: () => new ApiError(401, 'instant_key_expired', 'This instant key has expired'),
  max_use_count_exceeded: () => new ApiError(403, 'max_use_count_exceeded', 'This instant key is already in use on its maximum number of devices'),
};

/**
 * `GET /instant_keys/credentials` (api.md section 2), checks in the documented order: rate
 * limit, header syntax, token syntax, the device's DPoP proof, token, revoked, expired,
 * device limit. The device is the proof key's thumbprint; `Instant-Key-Device` is ignored.
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
  const dpop = new DpopVerifier(config.clock());
  let publicHtu: { base: string; url: string } | undefined;
  // A proof names the URL the element called: the public one, or, when PUBLIC_BASE_URL is not
  // set (development), the one this request was sent to (localhost and 127.0.0.1 both work).
  const htus = (request: FastifyRequest): string[] => {
    if (publicHtu?.base !== ctx.publicBaseUrl) publicHtu = { base: ctx.publicBaseUrl, url: normalizedHtu(`${ctx.publicBaseUrl}${PATH}`)! };
    if (config.publicBaseUrl !== null) return [publicHtu.url];
    const own = normalizedHtu(`${request.protocol}://${request.host}${PATH}`);
    return own === undefined ? [publicHtu.url] : [publicHtu.url, own];
  };

  const getCredentials = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'private, no-store');
    const now = config.clock();

    // Per token, keyed by the token's hash (no raw token is kept), so that spelling the header
    // differently ("bearer", extra spaces) does not buy a fresh budget.
    const bearer = parseBearer(request.headers.authorization);
    const tokenKey = bearer.kind === 'bearer' ? sha256(bearer.token).toString('base64') : null;
    const retryAfter = perIp.hit(request.ip, now) || (tokenKey === null ? 0 : perToken.hit(tokenKey, now));
    if (retryAfter > 0) throw rateLimited(retryAfter);

    if (bearer.kind === 'malformed') {
      throw invalidInput('Authorization must be "Bearer <token>"', { _errors: [], authorization: { _errors: ['Expected "Bearer <token>"'] } });
    }
    if (bearer.kind !== 'bearer' || !isInstantKeyToken(bearer.token) || tokenKey === null) throw invalidKey();
    const ath = Buffer.from(tokenKey, 'base64').toString('base64url');
    const { thumbprint } = await dpop.verify(request.headers.dpop, { htm: 'GET', htu: htus(request), ath, now });

    // Revocation, expiry and admission are decided in the same transaction that records the
    // use, and the answer goes out only once that transaction has committed. A first
    // admission changes who may use the key: its commit must also reach the disk.
    const device = { device_id: thumbprint, device_description: describeDevice(request.headers['user-agent']) };
    const durable = ctx.keys.mayAdmit(tokenKey, thumbprint);
    const use = await ctx.writes.run(() => useInstantKey(db, now, tokenKey, device, ctx.keys), { durable });
    if (use.outcome === 'invalid') throw invalidKey();
    if (use.outcome !== 'admitted') throw REFUSALS[use.outcome]();
    ctx.keys.rememberAdmitted(use.key.instant_key_id, thumbprint);

    let plan = ctx.plans.get(use.key.instant_key_id, now);
    if (!plan) ctx.plans.set(use.key.instant_key_id, now, (plan = planCredentials(db, config, use.key, now)));
    reply.header('etag', plan.etag);
    if (etagMatches(request.headers['if-none-match'], plan.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(mintCredentials(plan, config, use.key, now));
  };

  app.route({
    method: [...ROUTED_METHODS],
    url: PATH,
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
