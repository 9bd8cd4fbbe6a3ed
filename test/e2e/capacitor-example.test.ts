// The Capacitor example, built with Vite as an app would build it and run in Chromium, where
// @capacitor-community/bluetooth-le falls back to its web layer (Web Bluetooth) against the
// emulated lock: the element reaches the locks through the example's transport, not its own.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { serveStatic, type StaticServer } from '../../examples/static-server.ts';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { attachVirtualLock } from '../../src/testing/playwright.ts';

const root = new URL('../..', import.meta.url).pathname;

let work: string;
let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
let site: StaticServer;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ik-capacitor-'));
  const outDir = join(work, 'app');
  await build({ configFile: join(root, 'examples/capacitor/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const rewrites: Record<string, string> = {};
  site = await serveStatic({ mounts: { '/': outDir }, rewrites });
  server = await startServer({ port: 0, dataDir: join(work, 'data'), apiKey: 'seam_capacitor_key_qG9sQ3CU4nznKdUx-xJjjyhf47uTo_co7vaF6_oMIw4', allowedOrigins: [site.url] });
  rewrites['http://127.0.0.1:8787'] = server.url;
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Records every `requestDevice` call's options, to see who asked. */
async function recordRequests(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const request = Bluetooth.prototype.requestDevice;
    window.__requests = [];
    Bluetooth.prototype.requestDevice = function (options) {
      window.__requests.push(JSON.parse(JSON.stringify(options)));
      return request.call(this, options);
    };
  })()`);
}

const requests = (page: Page) => page.evaluate(() => (window as unknown as { __requests: RequestDeviceOptions[] }).__requests);

test('the Capacitor example unlocks Room 412 through the plugin, and "Unlock nearby door" asks by name prefix', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await recordRequests(page);
  try {
    await page.goto(`${site.url}/#${hotel.token}`);
    await page.locator('instant-key[state="ready"]').waitFor();
    assert.equal(await page.evaluate(() => document.querySelector('instant-key')!.transport !== undefined), true);
    const doors = await Promise.all(
      [hotel.room, hotel.pool].map((e) => attachVirtualLock(page, { lockId: e.lock.lock_id, lockKey: base64urlToBytes(e.lock.lock_key), name: e.lock.ble_name })),
    );
    try {
      await page.getByRole('button', { name: /Unlock Room 412/ }).click();
      await page.locator('instant-key[state="unlocked"]').waitFor({ timeout: 15_000 });
      assert.equal(doors[0]!.lock.unlockCount, 1);
      await page.locator('instant-key[state="ready"]').waitFor();

      // Several locks, one name per filter: the plugin asks by their common prefix.
      doors[0]!.emulator.chooser = { action: 'select', address: doors[1]!.address };
      await page.getByRole('button', { name: /Unlock nearby door/ }).click();
      await page.locator('instant-key[state="unlocked"]').waitFor({ timeout: 15_000 });
      assert.equal(doors[1]!.lock.unlockCount, 1);

      const [single, nearby] = await requests(page);
      assert.deepEqual(single!.filters, [{ services: ['5a1e0001-7c3d-4f5e-9a8b-1c2d3e4f5a6b'], name: hotel.room.lock.ble_name }]);
      const prefix = nearby!.filters![0]!.namePrefix!;
      assert.ok(prefix.length > 0 && [hotel.room, hotel.elevator, hotel.pool].every((e) => e.lock.ble_name.startsWith(prefix)), prefix);
    } finally {
      await doors[0]!.detach();
    }
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
