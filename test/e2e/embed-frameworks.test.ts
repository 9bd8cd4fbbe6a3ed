// The React 19 and Vue 3 examples, built with Vite as an app would build them and opened in
// Chromium with a guest's key: each renders <instant-key>, which loads the guest's doors from
// the real stub server, and the framework hears the element's ik-unlock event.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser } from 'playwright-core';
import { build } from 'vite';
import { serveStatic, type StaticServer } from '../../examples/static-server.ts';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { attachVirtualLock } from '../../src/testing/playwright.ts';

const root = new URL('../..', import.meta.url).pathname;
const frameworks = ['react', 'vue'] as const;

let work: string;
let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
const sites = new Map<string, StaticServer>();

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ik-frameworks-'));
  const rewrites: Record<string, string> = {};
  for (const name of frameworks) {
    const outDir = join(work, name);
    await build({ configFile: join(root, 'examples', name, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    sites.set(name, await serveStatic({ mounts: { '/': outDir }, rewrites }));
  }
  server = await startServer({ port: 0, dataDir: join(work, 'data'), apiKey: 'seam_frameworks_Z64RUdkDcXf3I2VcVuJVJ5ypMcUk2xzJ2K-CnkQJTEc', allowedOrigins: [...sites.values()].map((s) => s.url) });
  rewrites['http://127.0.0.1:8787'] = server.url;
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await Promise.all([...sites.values()].map((s) => s.close()));
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

for (const name of frameworks) {
  test(`the ${name} example renders the key, and the app hears the unlock`, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const room = hotel.room.lock;
    try {
      await page.goto(`${sites.get(name)!.url}/#${hotel.token}`);
      await page.locator('instant-key[state="ready"]').waitFor();
      const door = await attachVirtualLock(page, { lockId: room.lock_id, lockKey: base64urlToBytes(room.lock_key), name: room.ble_name });
      try {
        await page.getByRole('button', { name: /Unlock Room 412/ }).click();
        await page.getByRole('status').filter({ hasText: 'Room 412 is open.' }).waitFor({ timeout: 15_000 });
        assert.equal(door.lock.unlockCount, 1);
      } finally {
        await door.detach();
      }
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
}
