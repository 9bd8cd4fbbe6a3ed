import Fastify, { type FastifyHttpOptions, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { baseUrlFor, resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import { requireApiKey } from './auth.ts';
import type { AppContext } from './context.ts';
import { ApiError, installErrorHandlers, invalidInput } from './errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { openStore } from './store/open.ts';
import { accessGrantRoutes } from './routes/access-grants.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { customizationProfileRoutes } from './routes/customization-profiles.ts';
import { entranceRoutes } from './routes/entrances.ts';
import { eventRoutes } from './routes/events.ts';
import { instantKeyRoutes } from './routes/instant-keys.ts';
import { pageRoutes } from './routes/pages.ts';
import { userIdentityRoutes } from './routes/user-identities.ts';

/** A built, not yet listening, server. */
export interface BuiltApp {
  app: FastifyInstance;
  context: AppContext;
}

/**
 * Logger settings that keep secrets out of logs: requests are logged as method, path (no
 * query) and address, never headers, so neither `Authorization` (API key, instant key
 * token) nor cookies can appear; `redact` guards against anyone logging headers later.
 */
function loggerOptions(config: ServerConfig): FastifyServerOptions['logger'] {
  if (config.logLevel === false) return false;
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: req.method,
        path: req.url.split('?')[0],
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
    },
  };
}

/**
 * Builds the issuance server (admin API, credential endpoint, key page, static files) from
 * options or a resolved config, opening its store (SQLite in `dataDir`, or PostgreSQL at
 * `databaseUrl`). Does not listen; closing the
 * app closes the store.
 */
export async function buildApp(options: ServerOptions | ServerConfig = {}): Promise<BuiltApp> {
  const config = 'apiKeyGenerated' in options ? options : resolveConfig(options);
  const store = await openStore(config, { onSyncError: (err) => app.log.error({ err }, 'background sync of the store failed; retrying') });
  const context: AppContext = {
    config,
    store,
    adminAuth: requireApiKey(config.apiKey, new RateLimiter(config.rateLimit.adminAuthFailures), config.clock),
    publicBaseUrl: config.publicBaseUrl ?? baseUrlFor(config.host, config.port),
  };
  const { requestMs, headersMs, keepAliveMs } = config.timeouts;

  const fastifyOptions: FastifyHttpOptions<Server> = {
    logger: loggerOptions(config),
    bodyLimit: config.bodyLimit,
    // Only the named proxies' X-Forwarded-For is believed (never everyone's: see config.ts).
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    // A client gets `headersMs` to send its headers and `requestMs` for the whole request
    // (408 and the connection closed past either), so that a slow body cannot hold a
    // connection open; idle keep-alive connections close after `keepAliveMs`. Node checks
    // the first two every `connectionsCheckingInterval` (30 s by default: too coarse).
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    http: { headersTimeout: headersMs, requestTimeout: requestMs, keepAliveTimeout: keepAliveMs, connectionsCheckingInterval: Math.min(1000, Math.ceil(headersMs / 4)) },
    genReqId: () => randomUUID(),
    // Never adopt a client-chosen id: it would let callers forge log correlation.
    requestIdHeader: false,
    exposeHeadRoutes: false,
  };
  const app = Fastify(fastifyOptions);
  app.addHook('onClose', () => store.close());

  // Answers carry ids, keys and tickets: not cacheable unless a route says otherwise.
  // A callback hook: an async one costs a promise per request on the credential endpoint.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('seam-request-id', request.id);
    reply.header('cache-control', 'no-store');
    done();
  });

  // JSON bodies: an empty body is `{}` (some clients send POST without one).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(invalidInput('The request body is not valid JSON'), undefined);
    }
  });
  // The Seam SDK sends parameterless POSTs (`list()`) as an empty form body: read it as `{}`.
  // Anything else in that type is refused, so JSON stays the only way to send parameters.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    if ((body as string).trim() === '') return done(null, {});
    done(new ApiError(415, 'unsupported_media_type', 'Send parameters as application/json'), undefined);
  });

  try {
    installErrorHandlers(app);
    userIdentityRoutes(app, context);
    entranceRoutes(app, context);
    accessGrantRoutes(app, context);
    instantKeyRoutes(app, context);
    eventRoutes(app, context);
    customizationProfileRoutes(app, context);
    credentialRoutes(app, context);
    await pageRoutes(app, context);
  } catch (error) {
    // Never served: let go of the store, and with it DATA_DIR's lock, at once.
    await store.close();
    throw error;
  }
  return { app, context };
}
