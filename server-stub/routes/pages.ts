import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import type { AppContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { openApiDocument } from '../openapi.ts';

/**
 * Headers for every HTML page. The key page holds a live token in its URL, so: scripts only
 * from this origin, no Referer, no framing by other sites (a framed Unlock button could be
 * clickjacked).
 */
export function htmlSecurityHeaders(reply: FastifyReply, connectOrigin: string, frameAncestors: string): void {
  reply.header(
    'content-security-policy',
    [
      "default-src 'none'",
      "script-src 'self'",
      // Lit falls back to <style> elements where adoptedStyleSheets is missing.
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' https: data:",
      "font-src 'self'",
      `connect-src 'self' ${connectOrigin}`,
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; '),
  );
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-content-type-options', 'nosniff');
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The key page: the element, branded, reading its token from the URL fragment. */
export function keyPageHtml(publicBaseUrl: string, brand: AppContext['config']['brand']): string {
  const base = new URL(publicBaseUrl).pathname.replace(/\/$/, '');
  const logo = brand.logo_url ? `<img class="logo" src="${escapeHtml(brand.logo_url)}" alt="">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="theme-color" content="${escapeHtml(brand.primary_color)}">
<title>Your key</title>
<style>
  html, body { margin: 0; min-height: 100%; }
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: ${escapeHtml(brand.secondary_color)};
         display: flex; justify-content: center; padding: env(safe-area-inset-top) 16px env(safe-area-inset-bottom); }
  main { width: 100%; max-width: 480px; padding-block: 24px; }
  .logo { display: block; max-height: 48px; max-width: 60%; margin: 0 auto 16px; }
  instant-key { display: block; }
</style>
<script type="module" src="${escapeHtml(base)}/instant-key.js"></script>
</head>
<body>
<main>
${logo}
<instant-key endpoint="${escapeHtml(publicBaseUrl)}"></instant-key>
<noscript>This key needs JavaScript.</noscript>
</main>
</body>
</html>
`;
}

/**
 * `/k` (the key page), `/instant-key.js` (the element bundle), `/openapi.json` and the static
 * folder, if any.
 */
export async function pageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { config } = ctx;
  const origin = () => new URL(ctx.publicBaseUrl).origin;

  app.get('/openapi.json', async (_request, reply) => {
    reply.header('cache-control', 'no-cache');
    return openApiDocument(ctx.publicBaseUrl);
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/k',
    handler: async (_request, reply) => {
      htmlSecurityHeaders(reply, origin(), "'none'");
      reply.header('cache-control', 'no-cache');
      return reply.type('text/html; charset=utf-8').send(keyPageHtml(ctx.publicBaseUrl, config.brand));
    },
  });

  // The element bundle and the chunks it loads on demand (locales, unlock engine, preview),
  // all from the bundle's own folder; nothing else there is served.
  app.get('/:bundle(^instant-key[-\\w]*\\.js$)', async (request, reply) => {
    const { bundle: name } = request.params as { bundle: string };
    const file = config.elementFile ? (name === 'instant-key.js' ? config.elementFile : join(dirname(config.elementFile), name)) : null;
    // Read per request: the bundle may be rebuilt while the server runs.
    const bytes = file ? await readFile(file).catch(() => null) : null;
    if (!bytes) throw new ApiError(404, 'route_not_found', 'The element bundle is not built: run npm run build');
    reply.header('cache-control', 'no-cache');
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('text/javascript; charset=utf-8').send(bytes);
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
