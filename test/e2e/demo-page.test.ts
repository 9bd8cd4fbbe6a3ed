// The demo booking page, as a hotel's designer would build it: the key's slot is reserved, so
// nothing on the page moves when the element goes from loading to its doors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';

let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-demo-page-'));
  server = await startServer({ port: 0, dataDir, logLevel: false, apiKey: 'seam_demo_page_test', staticDir: 'demo', elementFile: 'dist/instant-key.js' });
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

for (const width of [390, 1280]) {
  test(`at ${width} px nothing after the key moves when its doors arrive, and the page has a favicon`, async () => {
    const context = await browser.newContext({ viewport: { width, height: 844 } });
    try {
      const page = await context.newPage();
      const missing: string[] = [];
      page.on('response', (response) => response.status() === 404 && missing.push(response.url()));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/instant_keys/credentials', async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(`${server.url}/#${hotel.token}`);
      await page.locator('instant-key[state="loading"]').waitFor();
      const positions = () => page.evaluate(() => [...document.querySelectorAll('.hint, .events')].map((e) => e.getBoundingClientRect().top));
      const loading = await positions();
      release();
      await page.locator('instant-key[state="ready"]').waitFor();
      await page.evaluate(() => new Promise(requestAnimationFrame));
      assert.deepEqual(await positions(), loading);
      assert.deepEqual(missing, []);
      assert.equal(await page.getAttribute('link[rel="icon"]', 'href'), '/favicon.svg');
    } finally {
      await context.close();
    }
  });
}
