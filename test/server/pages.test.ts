import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestServer } from './helpers.ts';

/** A raw GET, so that paths reach the server exactly as written (fetch would normalize `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('pages and static files', () => {
  let t: TestServer;
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ik-static-'));
    mkdirSync(join(root, 'demo'));
    writeFileSync(join(root, 'demo', 'index.html'), '<!doctype html><title>Hotel</title>');
    writeFileSync(join(root, 'demo', 'style.css'), 'body{}');
    writeFileSync(join(root, 'demo', '.env'), 'SECRET=1');
    writeFileSync(join(root, 'outside.txt'), 'outside the static root');
    writeFileSync(join(root, 'instant-key.js'), 'export const built = true;');
    writeFileSync(join(root, 'instant-key-fr-a1B2.js'), 'export const fr = true;');
    t = await TestServer.start({
      staticDir: join(root, 'demo'),
      elementFile: join(root, 'instant-key.js'),
      brand: { primary_color: '#123456', secondary_color: '#fedcba', logo_url: 'https://brand.example/logo.png?a=1&b="2"' },
    });
  });
  after(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('serves the key page with the element, the endpoint and strict headers', async () => {
    const res = await t.request('GET', '/k');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(res.body.includes('<script type="module" src="/instant-key.js"></script>'));
    assert.ok(res.body.includes(`<instant-key endpoint="${t.url}"></instant-key>`));
    assert.ok(res.body.includes('https://brand.example/logo.png?a=1&amp;b=&quot;2&quot;'), 'attribute values are escaped');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  test('serves the element bundle as JavaScript', async () => {
    const res = await t.request('GET', '/instant-key.js');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(res.body, 'export const built = true;');
  });

  test("serves the bundle's on-demand chunks from its folder, and nothing else there", async () => {
    const chunk = await t.request('GET', '/instant-key-fr-a1B2.js');
    assert.equal(chunk.status, 200);
    assert.equal(chunk.body, 'export const fr = true;');
    assert.equal((await t.request('GET', '/instant-key-missing.js')).status, 404);
    assert.equal((await t.request('GET', '/outside.txt')).status, 404);
    assert.equal((await t.request('GET', '/instant-key-..%2Foutside.txt')).status, 404);
  });

  test('serves the static folder with security headers on HTML', async () => {
    const index = await t.request('GET', '/');
    assert.equal(index.status, 200);
    assert.equal(index.body, '<!doctype html><title>Hotel</title>');
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    const css = await t.request('GET', '/style.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-security-policy'), null);
  });

  test('never serves dotfiles or anything outside the folder', async () => {
    assert.equal((await rawGet(t.localUrl, '/.env')).status, 404);
    for (const path of ['/../outside.txt', '/..%2foutside.txt', '/%2e%2e/outside.txt', '/%2e%2e%2foutside.txt', '/..\\outside.txt']) {
      const res = await rawGet(t.localUrl, path);
      assert.notEqual(res.status, 200, path);
      assert.equal(res.body.includes('outside the static root'), false, path);
    }
  });

  test('answers a missing file with the JSON 404', async () => {
    const res = await t.request('GET', '/nope.html');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.type, 'route_not_found');
  });
});

describe('pages without an element bundle', () => {
  test('explain that the bundle must be built', async () => {
    const t = await TestServer.start({ elementFile: join(tmpdir(), 'does-not-exist', 'instant-key.js') });
    try {
      const res = await t.request('GET', '/instant-key.js');
      assert.equal(res.status, 404);
      assert.match(res.body.error.message, /npm run build/);
    } finally {
      await t.close();
    }
  });
});
