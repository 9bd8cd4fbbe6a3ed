// The embedding examples, run as a hotel would deploy them, in Chromium against the real stub
// server and an emulated lock: the one-script-tag page, the same page under a strict CSP with
// Trusted Types enforced, and a hotel page framing the key page from another origin.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type Frame, type Page } from 'playwright-core';
import { serveStatic, type StaticServer } from '../../examples/static-server.ts';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { attachVirtualLock } from '../../src/testing/playwright.ts';

const root = new URL('../..', import.meta.url).pathname;
const mounts = { '/dist/': join(root, 'dist'), '/': join(root, 'examples') };

let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
let dataDir: string;
/** The key issuer's origin (localhost): the plain example and the framed key page. */
let issuer: StaticServer;
/** The plain example again, on its own origin (127.0.0.1), under the strict policy. */
let strict: StaticServer;
/** The hotel's origin (127.0.0.1), framing the issuer's key page. */
let hotelSite: StaticServer;

/** The strict host page: no inline script or style, no eval, Trusted Types with Lit's policy only. */
function strictCsp(endpoint: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src ${endpoint}`,
    `img-src 'self' data: ${endpoint}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
}

/** Records every CSP or Trusted Types violation any frame of the page reports. */
async function collectViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as { __violations?: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample}`));
  });
  return async () => (await Promise.all(page.frames().map((f) => f.evaluate(() => (globalThis as { __violations?: string[] }).__violations ?? [])))).flat();
}

/** Taps Unlock for Room 412 in `frame` with an emulated lock in range; returns the lock. */
async function unlockRoom(page: Page, frame: Frame | Page) {
  const room = hotel.room.lock;
  const door = await attachVirtualLock(page, { lockId: room.lock_id, lockKey: base64urlToBytes(room.lock_key), name: room.ble_name });
  try {
    await frame.getByRole('button', { name: /Unlock Room 412/ }).click();
    await frame.locator('instant-key[state="unlocked"]').waitFor({ timeout: 15_000 });
    return { unlockCount: door.lock.unlockCount, status: door.lock.log.at(-1)?.status };
  } finally {
    await door.detach();
  }
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-embed-'));
  // The sites listen first so the credential endpoint can allow their origins; the examples'
  // fixed URLs (ports 8787, 8788) are rewritten to this run's servers, read per request.
  const rewrites: Record<string, string> = {};
  const strictHeaders: Record<string, string> = {};
  issuer = await serveStatic({ mounts, rewrites, urlHost: 'localhost' });
  strict = await serveStatic({ mounts, rewrites, htmlHeaders: strictHeaders });
  hotelSite = await serveStatic({ mounts, rewrites });
  server = await startServer({
    port: 0,
    dataDir,
    apiKey: 'seam_embed_J0KFT8_OtgrTmAY2Ph6Uaymcl-6T2sJhf7CQYDk5C9A',
    allowedOrigins: [issuer.url, strict.url],
  });
  rewrites['http://127.0.0.1:8787'] = server.url;
  rewrites['http://localhost:8788'] = issuer.url;
  strictHeaders['content-security-policy'] = strictCsp(server.url);
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all([issuer, strict, hotelSite].map((s) => s?.close()));
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the plain example: one script tag, and the guest unlocks Room 412', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(`${issuer.url}/plain/#${hotel.token}`);
    await page.locator('instant-key[state="ready"]').waitFor();
    assert.deepEqual(await unlockRoom(page, page), { unlockCount: 1, status: 'OK' });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test(
  'under a CSP without unsafe-inline or unsafe-eval and with Trusted Types enforced, the element loads, unlocks and causes no violation',
  async () => {
    const page = await browser.newPage();
    const violations = await collectViolations(page);
    try {
      const response = await page.goto(`${strict.url}/plain/#${hotel.token}`);
      assert.match((await response?.headerValue('content-security-policy')) ?? '', /require-trusted-types-for 'script'/);
      await page.locator('instant-key[state="ready"]').waitFor();
      assert.deepEqual(await unlockRoom(page, page), { unlockCount: 1, status: 'OK' });
      const inline = await page.evaluate(() => {
        const key = document.querySelector('instant-key');
        return {
          styleElements: key?.shadowRoot?.querySelectorAll('style').length,
          adoptedSheets: key?.shadowRoot?.adoptedStyleSheets.length,
          pageScripts: [...document.scripts].map((s) => s.getAttribute('src')),
        };
      });
      // Two constructable sheets: the element's own, and the one its key view's chunk brings.
      assert.deepEqual(inline, { styleElements: 0, adoptedSheets: 2, pageScripts: ['/dist/instant-key.js'] });
      assert.deepEqual(await violations(), []);
    } finally {
      await page.close();
    }
  },
);

test('the iframe example: a hotel page on one origin frames the key page of another with allow="bluetooth", and the guest unlocks', async () => {
  // The emulated lock answers the Bluetooth chooser through the page's DevTools session, which
  // does not see prompts from an out-of-process frame: this browser keeps the cross-origin frame
  // in the page's process. Origins, and the permissions policy `allow` delegates, are unchanged.
  const inProcessFrames = await launchChromium(['--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process']);
  const page = await inProcessFrames.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(`${hotelSite.url}/iframe/hotel.html#${hotel.token}`);
    assert.equal(new URL(page.url()).hash, '', 'the hotel page keeps no token in its address bar');
    const frame = page.frameLocator('iframe#key');
    await frame.locator('instant-key[state="ready"]').waitFor();
    const keyFrame = page.frames().find((f) => f.url().startsWith(issuer.url));
    assert.ok(keyFrame, 'the key page is framed from the issuer origin');
    assert.notEqual(new URL(keyFrame.url()).origin, new URL(page.url()).origin);
    assert.deepEqual(await unlockRoom(page, keyFrame), { unlockCount: 1, status: 'OK' });
    assert.deepEqual(errors, []);
  } finally {
    await inProcessFrames.close();
  }
});
