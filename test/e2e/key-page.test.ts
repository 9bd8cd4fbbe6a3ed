// The key page /k in Chromium: the guest's language and colour scheme, an installable web app,
// a service worker that serves the page and the element offline, registers only once the
// doors show, never keeps the credential endpoint, and hands over cleanly to a new build.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium, launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { contrast } from '../../server-stub/key-page/colors.ts';
import { calculateJwkThumbprint } from 'jose';

/** The admin key of this file's server (strong: weak keys stop the server). */
const API_KEY = 'seam_keypage_PnuVSZpflKX0BBnha8MnL2ny5tigNFRFBuTF0KxIUGU';
let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
let dataDir: string;
let buildDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-keypage-'));
  // A copy of the build, so that a test can make a "new build" of it.
  buildDir = mkdtempSync(join(tmpdir(), 'ik-keypage-dist-'));
  for (const file of readdirSync('dist')) if (/^instant-key[-\w.]*\.(js|json)$/.test(file)) copyFileSync(join('dist', file), join(buildDir, file));
  server = await startServer({ port: 0, dataDir, logLevel: false, apiKey: API_KEY, elementFile: join(buildDir, 'instant-key.js') });
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(buildDir, { recursive: true, force: true });
});

/** `rgb(r, g, b)` as `#rrggbb`. */
const hex = (rgb: string) => `#${rgb.match(/\d+/g)!.slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;

async function admin(path: string, params: Record<string, string>): Promise<any> {
  const res = await fetch(`${server.url}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return res.json();
}

const useCount = async (key: DemoHotel) => (await admin('/instant_keys/get', { instant_key_id: key.instant_key_id })).instant_key.use_count as number;
const usedDevices = async (key: DemoHotel) =>
  ((await admin('/events/list', { instant_key_id: key.instant_key_id })).events as any[]).filter((e) => e.event_type === 'instant_key.used').map((e) => e.device_id as string);

/** The RFC 7638 thumbprint of the key a DPoP proof carries: the device the server counts. */
const proofKey = (proof: string) => calculateJwkThumbprint(JSON.parse(Buffer.from(proof.split('.')[0]!, 'base64url').toString()).jwk);

/** The thumbprint of the device key the element keeps in IndexedDB (src/credentials/device-key.ts). */
function storedKeyThumbprint(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('instant-key-device');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const pair = await new Promise<CryptoKeyPair | undefined>((resolve, reject) => {
      const get = db.transaction('keys').objectStore('keys').get('device');
      get.onsuccess = () => resolve(get.result);
      get.onerror = () => reject(get.error);
    });
    db.close();
    if (!pair) return null;
    const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })));
    return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  });
}

/** The page's credential requests: their DPoP proofs, and the answers' statuses as they come. */
function credentialTraffic(page: Page) {
  const proofs: string[] = [];
  const statuses: number[] = [];
  const waiting: (() => void)[] = [];
  let sent!: () => void;
  const first = new Promise<void>((resolve) => (sent = resolve));
  const isCredentials = (url: string, method: string) => url.endsWith('/instant_keys/credentials') && method === 'GET';
  page.on('request', (request) => {
    if (!isCredentials(request.url(), request.method())) return;
    proofs.push(request.headers()['dpop'] ?? '');
    sent();
  });
  page.on('response', (response) => {
    if (!isCredentials(response.url(), response.request().method())) return;
    statuses.push(response.status());
    waiting.splice(0).forEach((wake) => wake());
  });
  const answered = async (count: number): Promise<void> => {
    while (statuses.length < count) await new Promise<void>((resolve) => waiting.push(resolve));
  };
  return { proofs, statuses, first, answered };
}

async function openKey(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(hotel.instant_key_url);
  await page.locator('instant-key:is([state="ready"], [state="error"])').waitFor();
  return page;
}

describe('the page follows the guest', () => {
  for (const { locale, lang, dir, title, text } of [
    { locale: 'de-DE', lang: 'de-DE', dir: 'ltr', title: 'Ihr Schlüssel', text: /Ihre Türen/ },
    { locale: 'ar-EG', lang: 'ar-EG', dir: 'rtl', title: 'مفتاحك', text: /أبوابك/ },
  ]) {
    test(`a ${locale} phone gets lang, dir, title and heading in its language, and the element agrees`, async () => {
      const context = await browser.newContext({ locale, serviceWorkers: 'block' });
      try {
        const page = await openKey(context);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        assert.equal(await page.getAttribute('html', 'dir'), dir);
        assert.equal(await page.title(), title);
        assert.equal(await page.locator('h1').textContent(), title);
        await page.locator('instant-key').getByText(text).first().waitFor();
      } finally {
        await context.close();
      }
    });
  }

  test('dark mode follows the phone, with the stripe still at least 3:1 against the page', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme, serviceWorkers: 'block' });
      try {
        const page = await openKey(context);
        const style = await page.evaluate(() => {
          const { backgroundColor, borderTopColor, borderTopWidth } = getComputedStyle(document.body);
          return { backgroundColor, borderTopColor, borderTopWidth };
        });
        const [bg, stripe] = [style.backgroundColor, style.borderTopColor].map(hex) as [string, string];
        const width = parseFloat(style.borderTopWidth);
        assert.ok(width >= 4, 'the stripe is visible');
        assert.ok(contrast(bg, stripe) >= 3, `${colorScheme}: stripe ${stripe} on ${bg}`);
        if (colorScheme === 'dark') assert.ok(contrast(bg, '#000000') < 3, `dark background ${bg}`);
      } finally {
        await context.close();
      }
    }
  });
});

describe('loading', () => {
  test('/k asks for the credentials while the element is still downloading, once, signed by the element\'s device key', async () => {
    const limited = await seedDemoHotel(server, { maxUseCount: 1 });
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      const traffic = credentialTraffic(page);
      // The entry is held until the credential request has gone out.
      await page.route('**/instant-key.js', async (route) => {
        await traffic.first;
        await route.continue();
      });
      await page.goto(limited.instant_key_url);
      await page.locator('instant-key[state="ready"]').waitFor();
      assert.deepEqual(traffic.statuses, [200], 'one credential request, accepted');
      const stored = await storedKeyThumbprint(page);
      assert.ok(stored, 'the device key is in the element\'s own store');
      assert.equal(await proofKey(traffic.proofs[0]!), stored, 'the early request proves the element\'s device key');
      // The element still takes the token out of the address bar; `remember` puts the key's handle there.
      assert.match(new URL(page.url()).hash, /^#k=[\w-]{22}$/);
      assert.ok(!page.url().includes(limited.token), 'the token is gone from the address bar');

      // A later refresh, by the element's own resolver: the same device, within a one-device key.
      await page.evaluate(() => dispatchEvent(new Event('online')));
      await traffic.answered(2);
      assert.deepEqual(traffic.statuses, [200, 304], 'admitted, and revalidated with the ETag of the early answer');
      assert.equal(await proofKey(traffic.proofs[1]!), stored);
      assert.deepEqual(await usedDevices(limited), [stored, stored], 'the server knows one device');
      assert.equal(await useCount(limited), 1);
    } finally {
      await context.close();
    }
  });

  test('a phone whose clock is off: the early request meets the nonce challenge and the element signs again, once', async () => {
    const hotel = await seedDemoHotel(server, { maxUseCount: 1 });
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.clock.setFixedTime(Date.now() - 3_600_000);
      const traffic = credentialTraffic(page);
      await page.route('**/instant-key.js', async (route) => {
        await traffic.first;
        await route.continue();
      });
      await page.goto(hotel.instant_key_url);
      await page.locator('instant-key[state="ready"]').waitFor();
      assert.deepEqual(traffic.statuses, [401, 200]);
      const claims = traffic.proofs.map((proof) => JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()));
      assert.equal(claims[0].nonce, undefined, 'the early proof had no nonce to give');
      assert.equal(typeof claims[1].nonce, 'string', 'the retry signs the server\'s nonce');
      const [early, retry] = await Promise.all(traffic.proofs.map(proofKey));
      assert.equal(retry, early, 'with the same device key');
      assert.equal(await useCount(hotel), 1);
      // The element still takes the token out of the address bar; `remember` puts the key's handle there.
      assert.match(new URL(page.url()).hash, /^#k=[\w-]{22}$/);
      assert.ok(!page.url().includes(hotel.token), 'the token is gone from the address bar');
    } finally {
      await context.close();
    }
  });

  test('where storage is blocked, the early request and the element\'s refreshes still prove one key', async () => {
    const hotel = await seedDemoHotel(server, { maxUseCount: 1 });
    const context = await browser.newContext({ serviceWorkers: 'block' });
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    try {
      const page = await context.newPage();
      const traffic = credentialTraffic(page);
      await page.goto(hotel.instant_key_url);
      await page.locator('instant-key[state="ready"]').waitFor();
      await page.evaluate(() => dispatchEvent(new Event('online')));
      await traffic.answered(2);
      assert.deepEqual(traffic.statuses, [200, 304], 'the refresh is admitted, not refused as a second device');
      const keys = await Promise.all(traffic.proofs.map(proofKey));
      assert.equal(keys[1], keys[0]);
      assert.equal(await useCount(hotel), 1);
    } finally {
      await context.close();
    }
  });

  test('a #k= handle is the element\'s business: the page sends no early request for it', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/k#k=0123456789abcdefghij`);
      await page.locator('instant-key:is([state="ready"], [state="error"])').waitFor();
      // The page script hands the element a resolver whenever it sends an early request.
      assert.equal(await page.evaluate(() => document.querySelector('instant-key')!.resolver), undefined, 'no early answer handed over');
    } finally {
      await context.close();
    }
  });

  test('a browser without Web Bluetooth asks for nothing and keeps the link in the address bar', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.addInitScript("Object.defineProperty(Navigator.prototype, 'bluetooth', { get: () => undefined })");
      const asked: string[] = [];
      page.on('request', (request) => request.url().includes('/instant_keys/credentials') && asked.push(request.url()));
      await page.goto(hotel.instant_key_url);
      await page.locator('instant-key[state="unsupported"]').waitFor();
      assert.deepEqual(asked, []);
      assert.equal(new URL(page.url()).hash, `#${hotel.token}`);
    } finally {
      await context.close();
    }
  });
});

describe('the installable key page', () => {
  test('registers its service worker only once the doors show', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/instant_keys/credentials', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(hotel.instant_key_url);
      await page.locator('instant-key[state="loading"]').waitFor();
      assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0, 'nothing while the key loads');
      release();
      await page.locator('instant-key[state="ready"]').waitFor();
      const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.scope));
      assert.equal(scope, `${server.url}/k`);
    } finally {
      await context.close();
    }
  });

  test('Chromium finds it installable (the installability check Lighthouse used)', async () => {
    // Incognito contexts are never installable: a persistent profile, as a phone has.
    const profile = mkdtempSync(join(tmpdir(), 'ik-profile-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: await ensureChromium(), args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await openKey(context);
      await page.evaluate(() => navigator.serviceWorker.ready);
      const cdp = await context.newCDPSession(page);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, []);
      const manifest = await cdp.send('Page.getAppManifest');
      assert.deepEqual(manifest.errors, []);
      assert.doesNotMatch(manifest.data ?? '', /ik_|k=/, 'no token or handle in the manifest');
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  test('an offline reload loads the page and the element from the service worker, which never stored a credential answer', async () => {
    const context = await browser.newContext();
    try {
      const page = await openKey(context);
      await page.evaluate(() => navigator.serviceWorker.ready);
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      await context.setOffline(true);
      await page.reload();
      assert.equal(await page.locator('h1').textContent(), 'Your key');
      assert.equal(await page.evaluate(() => typeof customElements.get('instant-key')), 'function', 'the element came from the cache');
      const cached = await page.evaluate(async () => {
        const urls: string[] = [];
        for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        return urls;
      });
      assert.ok(cached.includes('/k') && cached.includes('/instant-key.js'), cached.join(', '));
      assert.deepEqual(cached.filter((path) => path !== '/k' && !/^\/instant-key[-\w]*\.js$/.test(path)), [], 'only the page and element files');
    } finally {
      await context.close();
    }
  });

  test("a new build's service worker waits for the old build's tabs, then takes over and drops the old cache", async () => {
    const context = await browser.newContext();
    try {
      const first = await openKey(context);
      await first.evaluate(() => navigator.serviceWorker.ready);
      const cachesBefore = await first.evaluate(() => caches.keys());
      assert.equal(cachesBefore.length, 1);

      appendFileSync(join(buildDir, 'instant-key.js'), '\n// new build\n');
      const waiting = await first.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        await registration.update();
        const next = registration.installing ?? registration.waiting;
        if (next && next.state !== 'installed') await new Promise<void>((resolve) => next.addEventListener('statechange', () => next.state === 'installed' && resolve()));
        return { waiting: registration.waiting !== null, caches: await caches.keys() };
      });
      assert.equal(waiting.waiting, true, 'the new worker waits while a tab uses the old one');
      assert.equal(waiting.caches.length, 2, 'both builds are kept meanwhile');
      const entryInOldTab = await first.evaluate(() => fetch('/instant-key.js').then((r) => r.text()));
      assert.equal(entryInOldTab.includes('// new build'), false, 'the open tab keeps its own build');

      await first.close();
      const second = await context.newPage();
      await second.goto(hotel.instant_key_url);
      await second.waitForFunction(async () => (await caches.keys()).length === 1 && (await navigator.serviceWorker.ready).waiting === null);
      const after = await second.evaluate(async () => ({ caches: await caches.keys(), entry: await fetch('/instant-key.js').then((r) => r.text()) }));
      assert.notEqual(after.caches[0], cachesBefore[0]);
      assert.ok(after.entry.includes('// new build'), 'the new build is served');
      await second.locator('instant-key[state="ready"]').waitFor();
    } finally {
      await context.close();
    }
  });
});
