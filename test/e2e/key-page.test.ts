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
  server = await startServer({ port: 0, dataDir, logLevel: false, apiKey: 'seam_keypage_test_key', elementFile: join(buildDir, 'instant-key.js') });
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
  test('/k asks for the credentials while the element is still downloading, once, with the element\'s device id', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      const asked: { device: string | undefined }[] = [];
      let sawRequest!: () => void;
      const requested = new Promise<void>((resolve) => (sawRequest = resolve));
      page.on('request', (request) => {
        if (!request.url().endsWith('/instant_keys/credentials') || request.method() !== 'GET') return;
        asked.push({ device: request.headers()['instant-key-device'] });
        sawRequest();
      });
      // The entry is held until the credential request has gone out.
      await page.route('**/instant-key.js', async (route) => {
        await requested;
        await route.continue();
      });
      await page.goto(hotel.instant_key_url);
      await page.locator('instant-key[state="ready"]').waitFor();
      assert.equal(asked.length, 1, 'one credential request');
      assert.equal(asked[0]!.device, await page.evaluate(() => localStorage.getItem('instant-key:device-id')));
      // The element still takes the token out of the address bar; `remember` puts the key's handle there.
      assert.match(new URL(page.url()).hash, /^#k=[\w-]{22}$/);
      assert.ok(!page.url().includes(hotel.token), 'the token is gone from the address bar');
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
