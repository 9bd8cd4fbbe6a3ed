import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ConfigError, type Brand } from '../../server-stub/config.ts';
import { ensureElementBuilt } from '../../server-stub/element-build.ts';
import { contrast } from '../../server-stub/key-page/colors.ts';
import { TOKEN_FRAGMENT_PATTERN } from '../../server-stub/key-page/html.ts';
import { pagePreloads } from '../../server-stub/routes/pages.ts';
import { claimFragmentToken, forgetFragmentTokenForTests } from '../../src/link-token.ts';
import { TestServer } from './helpers.ts';

/** A raw GET, so that paths reach the server exactly as written (fetch would normalize `..`). */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; bytes: Buffer; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: bytes.toString(), bytes, headers: res.headers });
      });
    })
      .on('error', reject)
      .end();
  });
}

/** A Vite build manifest naming the fixture's chunks, as vite.config.ts writes it. */
const BUILD_MANIFEST = {
  'src/define.ts': { file: 'instant-key.js', isEntry: true, imports: ['_instant-key-shared-c3D4.js'], dynamicImports: ['src/i18n/locales/de.ts'] },
  '_instant-key-shared-c3D4.js': { file: 'instant-key-shared-c3D4.js' },
  'src/i18n/locales/de.ts': { file: 'instant-key-de-a1B2.js', isDynamicEntry: true },
  'src/i18n/locales/fr.ts': { file: 'instant-key-fr-a1B2.js', isDynamicEntry: true },
};
const ENTRY_SOURCE = `export const built = true; ${'/* padding so compression has something to do */ '.repeat(40)}`;

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
    writeFileSync(join(root, 'instant-key.js'), ENTRY_SOURCE);
    writeFileSync(join(root, 'instant-key-fr-a1B2.js'), 'export const fr = true;');
    writeFileSync(join(root, 'instant-key-de-a1B2.js'), 'export const de = true;');
    writeFileSync(join(root, 'instant-key-shared-c3D4.js'), 'export const shared = true;');
    writeFileSync(join(root, 'instant-key.manifest.json'), JSON.stringify(BUILD_MANIFEST));
    t = await TestServer.start({
      staticDir: join(root, 'demo'),
      elementFile: join(root, 'instant-key.js'),
      allowedOrigins: ['https://hotel.example'],
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
    assert.ok(res.body.includes(`<instant-key endpoint="${t.url}" remember></instant-key>`));
    assert.ok(res.body.includes('https://brand.example/logo.png?a=1&amp;b=&quot;2&quot;'), 'attribute values are escaped');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('vary') ?? '', /Accept-Language/);
  });

  test("the key page's one inline script is the one its CSP hash allows", async () => {
    const res = await t.request('GET', '/k');
    const inline = [...(res.body as string).matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(inline.length, 1);
    const hash = createHash('sha256').update(inline[0]!).digest('base64');
    assert.ok((res.headers.get('content-security-policy') ?? '').includes(`'sha256-${hash}'`));
  });

  test('the key page speaks the guest\'s language: lang, dir and title from Accept-Language', async () => {
    const cases = [
      { header: 'de-DE,de;q=0.9,en;q=0.8', lang: 'de-DE', dir: 'ltr', title: 'Ihr Schlüssel' },
      { header: 'ar-EG,ar;q=0.9', lang: 'ar-EG', dir: 'rtl', title: 'مفتاحك' },
      { header: 'ja-JP', lang: 'ja-JP', dir: 'ltr', title: 'お客様のキー' },
      { header: 'sv-SE,fr;q=0.5', lang: 'fr', dir: 'ltr', title: 'Votre clé' },
      { header: 'sv-SE', lang: 'en', dir: 'ltr', title: 'Your key' },
      { header: '"><script>,de', lang: 'de', dir: 'ltr', title: 'Ihr Schlüssel' },
    ];
    for (const c of cases) {
      const { body } = await t.request('GET', '/k', { headers: { 'accept-language': c.header } });
      assert.ok(body.includes(`<html lang="${c.lang}" dir="${c.dir}">`), c.header);
      assert.ok(body.includes(`<title>${c.title}</title>`), c.header);
      assert.ok(body.includes(`<h1>${c.title}</h1>`), `${c.header}: without a hotel name the heading is "Your key"`);
    }
  });

  test('the key page preloads the entry, its static imports and the guest\'s translation', async () => {
    const { body } = await t.request('GET', '/k', { headers: { 'accept-language': 'de-DE' } });
    const preloads = [...(body as string).matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(preloads, ['/instant-key.js', '/instant-key-shared-c3D4.js', '/instant-key-de-a1B2.js']);
    const english = (await t.request('GET', '/k', { headers: { 'accept-language': 'en-GB' } })).body as string;
    assert.equal(english.includes('instant-key-de-a1B2.js'), false, 'no translation to preload for English');
  });

  test('the key page has a favicon, a web-app manifest and the brand colours, light and dark, with a visible stripe', async () => {
    const { body } = await t.request('GET', '/k');
    assert.match(body, /<link rel="icon" href="\/k-icon.svg" type="image\/svg\+xml">/);
    assert.match(body, /<link rel="manifest" href="\/k.webmanifest">/);
    const light = /:root \{[^}]*--page-bg: (#\w{6}); --page-text: (#\w{6}); --page-stripe: (#\w{6});/.exec(body)!;
    const dark = /prefers-color-scheme: dark\) \{ :root \{ --page-bg: (#\w{6}); --page-text: (#\w{6}); --page-stripe: (#\w{6});/.exec(body)!;
    assert.equal(light[1], '#fedcba', 'the page takes the brand background');
    for (const [, bg, text, stripe] of [light, dark]) {
      assert.ok(contrast(stripe!, bg!) >= 3, `stripe ${stripe} on ${bg}`);
      assert.ok(contrast(text!, bg!) >= 4.5, `text ${text} on ${bg}`);
    }
    assert.match(body, /<meta name="color-scheme" content="light dark">/);
  });

  test('serves the element compressed: brotli, else gzip, else as built', async () => {
    const br = await rawGet(t.localUrl, '/instant-key.js', { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.bytes).toString(), ENTRY_SOURCE);
    assert.ok(br.bytes.length < ENTRY_SOURCE.length / 4);
    const gz = await rawGet(t.localUrl, '/instant-key.js', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.bytes).toString(), ENTRY_SOURCE);
    const plain = await rawGet(t.localUrl, '/instant-key.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.bytes.toString(), ENTRY_SOURCE);
    assert.match(String(plain.headers['content-type']), /^text\/javascript/);
    assert.match(String(plain.headers.vary), /Accept-Encoding/);
    const head = await t.request('HEAD', '/instant-key.js', { headers: { 'accept-encoding': 'br' } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(br.bytes.length));
  });

  test('caches chunks immutably and the entry briefly, with ETags that answer 304', async () => {
    const entry = await t.request('GET', '/instant-key.js');
    assert.equal(entry.headers.get('cache-control'), 'public, max-age=300');
    const etag = entry.headers.get('etag')!;
    assert.match(etag, /^"[\w-]{22}"$/);
    const again = await t.request('GET', '/instant-key.js', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const chunk = await t.request('GET', '/instant-key-fr-a1B2.js');
    assert.equal(chunk.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  test('a rebuilt entry is served with its new content and ETag', async () => {
    const before = await t.request('GET', '/instant-key-shared-c3D4.js');
    writeFileSync(join(root, 'instant-key-shared-c3D4.js'), 'export const shared = "rebuilt";');
    const after = await t.request('GET', '/instant-key-shared-c3D4.js');
    assert.equal(after.body, 'export const shared = "rebuilt";');
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
  });

  test('sends CORS headers to the allowed origins only', async () => {
    const allowed = await t.request('GET', '/instant-key.js', { headers: { origin: 'https://hotel.example' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://hotel.example');
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    const other = await t.request('GET', '/instant-key-fr-a1B2.js', { headers: { origin: 'https://evil.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test("serves the bundle's on-demand chunks from its folder, and nothing else there", async () => {
    const chunk = await t.request('GET', '/instant-key-fr-a1B2.js');
    assert.equal(chunk.status, 200);
    assert.equal(chunk.body, 'export const fr = true;');
    assert.equal((await t.request('GET', '/instant-key-missing.js')).status, 404);
    assert.equal((await t.request('GET', '/outside.txt')).status, 404);
    assert.equal((await t.request('GET', '/instant-key-..%2Foutside.txt')).status, 404);
  });

  test('the web-app manifest is one app per issuer, with icons and no token or handle', async () => {
    const res = await t.request('GET', '/k.webmanifest', { headers: { 'accept-language': 'de-DE' } });
    assert.match(res.headers.get('content-type') ?? '', /^application\/manifest\+json/);
    const manifest = JSON.parse(typeof res.body === 'string' ? res.body : JSON.stringify(res.body));
    assert.equal(manifest.id, '/k');
    assert.equal(manifest.start_url, '/k');
    assert.equal(manifest.scope, '/k');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.name, 'Ihr Schlüssel');
    assert.doesNotMatch(JSON.stringify(manifest), /ik_|k=/);
    for (const url of [manifest.id, manifest.start_url, manifest.scope]) assert.doesNotMatch(url, /[#?]/);
    for (const icon of manifest.icons.filter((i: { type: string }) => i.type === 'image/png')) {
      const png = await rawGet(t.localUrl, icon.src, {});
      assert.equal(png.status, 200);
      assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
      const [w, h] = icon.sizes.split('x').map(Number);
      assert.equal(png.bytes.readUInt32BE(16), w);
      assert.equal(png.bytes.readUInt32BE(20), h);
    }
    const svg = await t.request('GET', '/k-icon.svg');
    assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  });

  test("the service worker script lists the page and this build's files, and changes with the build", async () => {
    const first = await t.request('GET', '/k-sw.js');
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /^text\/javascript/);
    const build = JSON.parse(/^const BUILD = (.*);$/m.exec(first.body)![1]!);
    assert.equal(build.page, '/k');
    assert.deepEqual(build.files.sort(), ['/instant-key-de-a1B2.js', '/instant-key-fr-a1B2.js', '/instant-key-shared-c3D4.js', '/instant-key.js']);
    assert.ok(build.files.every((file: string) => /^\/instant-key[-\w]*\.js$/.test(file)), 'only element files, never the credential endpoint');
    writeFileSync(join(root, 'instant-key.js'), `${ENTRY_SOURCE} // rebuilt`);
    const second = await t.request('GET', '/k-sw.js');
    assert.notEqual(JSON.parse(/^const BUILD = (.*);$/m.exec(second.body)![1]!).version, build.version);
    writeFileSync(join(root, 'instant-key.js'), ENTRY_SOURCE);
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

describe('the key page behind a proxy path (PUBLIC_BASE_URL with a path)', () => {
  test('names every file under that path: script, preloads, manifest, icons, service worker', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ik-proxied-'));
    writeFileSync(join(root, 'instant-key.js'), ENTRY_SOURCE);
    writeFileSync(join(root, 'instant-key-shared-c3D4.js'), 'export const shared = true;');
    writeFileSync(join(root, 'instant-key.manifest.json'), JSON.stringify(BUILD_MANIFEST));
    const t = await TestServer.start({ elementFile: join(root, 'instant-key.js'), publicBaseUrl: 'https://issuer.example/api' });
    try {
      const page = (await t.request('GET', '/k')).body as string;
      assert.ok(page.includes('<script type="module" src="/api/instant-key.js"></script>'));
      assert.ok(page.includes('<link rel="modulepreload" href="/api/instant-key-shared-c3D4.js">'));
      assert.ok(page.includes('<link rel="manifest" href="/api/k.webmanifest">'));
      assert.ok(page.includes('<instant-key endpoint="https://issuer.example/api" remember></instant-key>'));
      const answer = (await t.request('GET', '/k.webmanifest')).body;
      const manifest = typeof answer === 'string' ? JSON.parse(answer) : answer;
      assert.deepEqual([manifest.id, manifest.start_url, manifest.scope], ['/api/k', '/api/k', '/api/k']);
      assert.ok(manifest.icons.every((icon: { src: string }) => icon.src.startsWith('/api/k-icon')));
      const build = JSON.parse(/^const BUILD = (.*);$/m.exec((await t.request('GET', '/k-sw.js')).body)![1]!);
      assert.equal(build.page, '/api/k');
      assert.ok(build.files.includes('/api/instant-key.js'));
    } finally {
      await t.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the key page of a named hotel', () => {
  test('heads the page and the web app with the hotel name, escaped', async () => {
    // BRAND_HOTEL_NAME's setting arrives with the contract fields; the page reads brand.hotel_name.
    const t = await TestServer.start({ brand: { hotel_name: 'Hôtel <Aurore> & Spa' } as Partial<Brand> });
    try {
      const { body } = await t.request('GET', '/k', { headers: { 'accept-language': 'fr-FR' } });
      assert.ok(body.includes('<h1>Hôtel &lt;Aurore&gt; &amp; Spa</h1>'));
      assert.ok(body.includes('<title>Votre clé · Hôtel &lt;Aurore&gt; &amp; Spa</title>'));
      const answer = (await t.request('GET', '/k.webmanifest')).body;
      assert.equal((typeof answer === 'string' ? JSON.parse(answer) : answer).name, 'Hôtel <Aurore> & Spa');
    } finally {
      await t.close();
    }
  });
});

describe("the key page's preloads", () => {
  test('name the entry, the guest language, the key view and the vault, each with its imports, once', () => {
    const manifest = {
      ...BUILD_MANIFEST,
      'src/view/key.ts': { file: 'instant-key-key-k3Y.js', isDynamicEntry: true, imports: ['src/define.ts'] },
      'src/vault/recall.ts': { file: 'instant-key-recall-r3C.js', isDynamicEntry: true, imports: ['src/define.ts', '_instant-key-shared-c3D4.js'] },
      'src/ble/engine.ts': { file: 'instant-key-engine-e9N.js', isDynamicEntry: true },
    };
    assert.deepEqual(pagePreloads(manifest, 'de'), ['instant-key.js', 'instant-key-shared-c3D4.js', 'instant-key-de-a1B2.js', 'instant-key-key-k3Y.js', 'instant-key-recall-r3C.js']);
  });
});

describe('the key page of an issuer with an iOS app', () => {
  test("hands the element the app's link and name (IOS_APP_URL), escaped, for an iPhone guest", async () => {
    const t = await TestServer.start({ iosApp: { url: 'https://appclip.apple.com/id?p=com.aurora.key&x="y"', name: 'Aurora <Key>' } });
    try {
      const { body } = await t.request('GET', '/k');
      assert.ok(body.includes('<instant-key endpoint="' + t.url + '" remember ios-app-url="https://appclip.apple.com/id?p=com.aurora.key&amp;x=&quot;y&quot;" ios-app-name="Aurora &lt;Key&gt;"></instant-key>'), body);
    } finally {
      await t.close();
    }
  });

  test('without one, the element gets no hand-off attributes', async () => {
    const t = await TestServer.start({});
    try {
      assert.ok(!(await t.request('GET', '/k')).body.includes('ios-app-url'));
    } finally {
      await t.close();
    }
  });
});

describe("the key page's inline script", () => {
  test('reads the link token from the fragment exactly as the element does', () => {
    const samples = ['#ik_0123456789abcdef', '#ik_' + 'a'.repeat(256), '#ik_' + 'a'.repeat(257), '#ik_short', '#k=abc', '#ik_0123456789abcdef&x', '', '#ik_0123456789abcde-_'];
    for (const hash of samples) {
      forgetFragmentTokenForTests();
      const element = claimFragmentToken({ hash, pathname: '/k', search: '' }, { state: null, replaceState: () => {} });
      const page = new RegExp(TOKEN_FRAGMENT_PATTERN).exec(hash)?.[1];
      assert.equal(page, element, hash);
    }
  });
});

describe('npm run server without a built element', () => {
  test('refuses to start with a message naming the command, when the element file cannot be found', async () => {
    const missing = join(tmpdir(), 'ik-no-build', 'instant-key.js');
    await assert.rejects(ensureElementBuilt(missing), (error: Error) => error instanceof ConfigError && /npm run build:element/.test(error.message));
  });
  test('uses a built element as it is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ik-built-'));
    try {
      writeFileSync(join(root, 'instant-key.js'), ENTRY_SOURCE);
      assert.equal(await ensureElementBuilt(join(root, 'instant-key.js')), join(root, 'instant-key.js'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('pages without an element bundle', () => {
  test('explain that the bundle must be built', async () => {
    const t = await TestServer.start({ elementFile: join(tmpdir(), 'does-not-exist', 'instant-key.js') });
    try {
      const res = await t.request('GET', '/instant-key.js');
      assert.equal(res.status, 404);
      assert.match(res.body.error.message, /npm run build:element/);
    } finally {
      await t.close();
    }
  });
});
