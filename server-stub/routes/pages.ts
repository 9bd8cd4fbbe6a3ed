import { createHash } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { DEVICE_PROOF_FILE, ElementFiles, MANIFEST_NAME, negotiateEncoding, type BuildManifest, type ElementFile } from '../element-files.ts';
import { ApiError } from '../errors.ts';
import { keyPageHtml, pageScript, type PageScript } from '../key-page/html.ts';
import { iconPng, iconSvg, ICON_SIZES } from '../key-page/icons.ts';
import { negotiatePageLocale, type PageLanguage } from '../key-page/locale.ts';
import { serviceWorkerScript, webAppManifest } from '../key-page/web-app.ts';
import { openApiDocument } from '../openapi.ts';

/**
 * Headers for every HTML page. The key page holds a live token in its URL, so: scripts only
 * from this origin (plus inline scripts named by hash), no Referer, no framing by other sites
 * (a framed Unlock button could be clickjacked).
 */
export function htmlSecurityHeaders(reply: FastifyReply, connectOrigin: string, frameAncestors: string, scriptHashes: string[] = []): void {
  reply.header(
    'content-security-policy',
    [
      "default-src 'none'",
      ["script-src 'self'", ...scriptHashes].join(' '),
      // Lit falls back to <style> elements where adoptedStyleSheets is missing.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' https: data:",
      "font-src 'self'",
      `connect-src 'self' ${connectOrigin}`,
      "manifest-src 'self'",
      "worker-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; '),
  );
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
}

/** The element files the key page preloads: the entry, its static imports, the guest's translation. */
export function pagePreloads(manifest: BuildManifest | null, language: PageLanguage): string[] {
  if (!manifest) return [];
  const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry);
  if (!entryKey) return [];
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  visit(`src/i18n/locales/${language}.ts`);
  // What /k needs before its doors show: the key's view (and validator) and, as /k remembers the
  // key, the vault. Found only after the entry ran otherwise: a round trip later on a slow network.
  visit('src/view/key.ts');
  visit('src/vault/recall.ts');
  return [...files];
}

/**
 * `/k` (the key page) with its web-app manifest, icons and service worker; the element's
 * files (`/instant-key.js` and its chunks); `/openapi.json`; and the static folder, if any.
 */
export async function pageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const origin = () => new URL(ctx.publicBaseUrl).origin;
  const base = () => new URL(ctx.publicBaseUrl).pathname.replace(/\/$/, '');
  const elementFiles = config.elementFile ? new ElementFiles(config.elementFile) : null;
  const allowedOrigins = new Set(config.allowedOrigins);

  app.get('/openapi.json', async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return openApiDocument(ctx.publicBaseUrl);
  });

  // With the element's device-proof code from its build, read again when a build replaces it.
  const script = async (): Promise<PageScript> => pageScript((await elementFiles?.get(DEVICE_PROOF_FILE))?.bodies.identity.toString('utf8') ?? null);

  const page = async (request: FastifyRequest, inline: PageScript): Promise<string> => {
    const locale = negotiatePageLocale(request.headers['accept-language']);
    const manifest = (await elementFiles?.manifest()) ?? null;
    return keyPageHtml({ publicBaseUrl: ctx.publicBaseUrl, brand: config.brand, locale, preload: pagePreloads(manifest, locale.language), script: inline, iosApp: config.iosApp });
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/k',
    handler: async (request, reply) => {
      const inline = await script();
      htmlSecurityHeaders(reply, origin(), "'none'", [inline.hash]);
      reply.header('cache-control', 'no-cache');
      reply.header('vary', 'Accept-Language');
      return reply.type('text/html; charset=utf-8').send(await page(request, inline));
    },
  });

  app.get('/k.webmanifest', async (request, reply) => {
    reply.header('cache-control', 'no-cache');
    reply.header('vary', 'Accept-Language');
    return reply.type('application/manifest+json; charset=utf-8').send(JSON.stringify(webAppManifest(base(), config.brand, negotiatePageLocale(request.headers['accept-language']))));
  });

  app.get('/k-icon.svg', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=86400');
    return reply.type('image/svg+xml').send(iconSvg(config.brand.primary_color));
  });
  const pngs = new Map(ICON_SIZES.map((size) => [size, iconPng(config.brand.primary_color, size)]));
  for (const [size, png] of pngs) {
    app.get(`/k-icon-${size}.png`, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=86400');
      return reply.type('image/png').send(png);
    });
  }

  app.get('/k-sw.js', async (_request, reply) => {
    const manifest = (await elementFiles?.manifest()) ?? null;
    const entry = elementFiles ? await elementFiles.get(elementFiles.entryName) : null;
    if (!entry) throw new ApiError(404, 'route_not_found', 'The element is not built: run npm run build:element');
    const js = Object.values(manifest ?? {}).map((chunk) => chunk.file).filter((file) => file.endsWith('.js'));
    const files = [...new Set([entry.name, ...js])].map((file) => `${base()}/${file}`);
    const fingerprint = createHash('sha256').update(entry.etag).update(keyPageHtml({ publicBaseUrl: ctx.publicBaseUrl, brand: config.brand, locale: negotiatePageLocale('en'), preload: [], script: await script(), iosApp: config.iosApp })).digest('base64url');
    reply.header('cache-control', 'no-cache');
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('text/javascript; charset=utf-8').send(serviceWorkerScript({ page: `${base()}/k`, files, fingerprint }));
  });

  // The element and the chunks it loads on demand, from the entry's own folder; nothing
  // else there is served.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/:bundle(^instant-key[-\\w]*\\.(?:js|js\\.map|manifest\\.json)$)',
    handler: async (request, reply) => {
      const { bundle: name } = request.params as { bundle: string };
      const file = elementFiles ? await elementFiles.get(name) : null;
      if (!file) {
        if (name === MANIFEST_NAME || !elementFiles || name !== elementFiles.entryName) throw new ApiError(404, 'route_not_found', `No element file ${name}`);
        throw new ApiError(404, 'route_not_found', 'The element is not built: run npm run build:element');
      }
      return sendElementFile(request, reply, file, allowedOrigins);
    },
  });

  if (config.staticDir) {
    await app.register(fastifyStatic, {
      root: config.staticDir,
      prefix: '/',
      index: ['index.html'],
      dotfiles: 'ignore',
      cacheControl: false,
      setHeaders: (reply, path) => {
        reply.header('cache-control', 'no-cache');
        reply.header('x-content-type-options', 'nosniff');
        if (path.endsWith('.html')) htmlSecurityHeaders(reply, origin(), "'self'");
      },
    });
  }
}

/**
 * One element file: CORS for the allowed origins (the element may be loaded by a hotel's own
 * page), the best precomputed encoding, a strong ETag with 304s, and the file's cache policy.
 */
function sendElementFile(request: FastifyRequest, reply: FastifyReply, file: ElementFile, allowedOrigins: ReadonlySet<string>): FastifyReply {
  reply.header('vary', 'Origin, Accept-Encoding');
  const requestOrigin = request.headers.origin;
  if (typeof requestOrigin === 'string' && allowedOrigins.has(requestOrigin)) reply.header('access-control-allow-origin', requestOrigin);
  reply.header('cache-control', file.cacheControl);
  reply.header('etag', file.etag);
  reply.header('x-content-type-options', 'nosniff');
  reply.type(file.type);
  const ifNoneMatch = request.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)) {
    return reply.code(304).send();
  }
  const encoding = negotiateEncoding(request.headers['accept-encoding']);
  if (encoding !== 'identity') reply.header('content-encoding', encoding);
  const body = file.bodies[encoding];
  reply.header('content-length', body.length);
  return reply.send(request.method === 'HEAD' ? undefined : body);
}
