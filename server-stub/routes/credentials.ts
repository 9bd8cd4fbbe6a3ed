import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { CredentialCors } from '../cors.ts';
import { createHash } from 'node:crypto';
import { etagMatches, mintCredentials } from '../credentials.ts';
import { describeDevice } from '../device-description.ts';
import { DpopVerifier, normalizedHtu, replayedProof } from '../dpop.ts';
import { ApiError, invalidInput, methodNotAllowed, rateLimited } from '../errors.ts';
import { CredentialRateLimits } from '../rate-limit.ts';
import type { KeyRefusal } from '../store/instant-keys.ts';
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
  const { store, config } = ctx;
  const limits = new CredentialRateLimits(config.rateLimit);
  let origins: { base: string; set: ReadonlySet<string> } | undefined;
  // The server's own origin joins ALLOWED_ORIGINS; recomputed if the public URL is set late.
  const cors = new CredentialCors(() => {
    if (origins?.base !== ctx.publicBaseUrl) {
      origins = { base: ctx.publicBaseUrl, set: new Set([new URL(ctx.publicBaseUrl).origin, ...config.allowedOrigins]) };
    }
    return origins.set;
  });
  // Behind one load balancer, a nonce one instance issued must pass on the next, so with a
  // shared store the nonce key derives from the API key all instances share.
  const dpop = new DpopVerifier(config.clock(), {
    remember: !store.remembersProofs,
    ...(store.remembersProofs ? { nonceSecret: createHash('sha256').update('instant-key dpop nonce\0').update(config.apiKey).digest() } : {}),
  });
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
    if (bearer.kind !== 'bearer' || !isInstantKeyToken(bearer.token) || tokenKey === null) throw invalidKey();
    const ath = Buffer.from(tokenKey, 'base64').toString('base64url');
    const proof = await dpop.verify(request.headers.dpop, { htm: 'GET', htu: htus(request), ath, now });

    // Revocation, expiry and admission are decided by the store in the same transaction that
    // records the use (in one round trip for PostgreSQL), and the answer goes out only once it
    // has committed; an admission is durable by then.
    const device = { device_id: proof.thumbprint, device_description: describeDevice(request.headers['user-agent']) };
    const use = await store.useKey({ tokenKey, device, proof: { jti: proof.jti, until: proof.until }, now });
    if (use.outcome === 'replayed') throw replayedProof();
    if (use.outcome === 'invalid') {
      const wait = limits.chargeUnknownToken(request.ip, now);
      throw wait > 0 ? rateLimited(wait) : invalidKey();
    }
    if (use.outcome !== 'admitted') throw REFUSALS[use.outcome]();
    const { plan } = use;
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
