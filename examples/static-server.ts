import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/** What {@link serveStatic} serves, and how. */
export interface StaticOptions {
  /** URL prefix → folder, e.g. `{ '/dist/': 'dist', '/': 'examples' }`; the longest prefix wins. */
  mounts: Record<string, string>;
  port?: number;
  /** The host name in the returned `url` (the server listens on 127.0.0.1 either way). */
  urlHost?: 'localhost' | '127.0.0.1';
  /** Extra response headers for HTML pages, e.g. a Content-Security-Policy. */
  htmlHeaders?: Record<string, string>;
  /** Literal replacements in served HTML and JS, e.g. the examples' default ports for the real ones. */
  rewrites?: Record<string, string>;
}

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A small static file server for the examples and their tests (GET only, no listings). */
export async function serveStatic(options: StaticOptions): Promise<StaticServer> {
  const mounts = Object.entries(options.mounts).sort(([a], [b]) => b.length - a.length);
  const server: Server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const relative = normalize(path.slice(mount?.[0].length ?? 0) || 'index.html');
    if (!mount || relative.startsWith('..') || relative.includes(`${sep}..`)) return void response.writeHead(404).end();
    const file = join(mount[1], relative.endsWith(sep) ? join(relative, 'index.html') : relative);
    const body = await readFile(file).catch(() => null);
    if (!body) return void response.writeHead(404).end();
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
    if (type.startsWith('text/html')) Object.assign(headers, options.htmlHeaders);
    if (!/^text\/(html|javascript)/.test(type)) return void response.writeHead(200, headers).end(body);
    let text = body.toString('utf8');
    for (const [from, to] of Object.entries(options.rewrites ?? {})) text = text.replaceAll(from, to);
    response.writeHead(200, headers).end(text);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.urlHost ?? '127.0.0.1'}:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
