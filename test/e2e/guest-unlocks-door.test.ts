// The whole product in one slice: the real stub server issues a key, the demo page opens it in
// Chromium, the guest taps Unlock, and an emulated IK1 lock opens. The lock's own audit log is
// the proof, not the UI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { attachVirtualLock } from '../../src/testing/playwright.ts';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';

let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-e2e-'));
  server = await startServer({
    port: 0,
    dataDir,
    staticDir: 'demo',
    elementFile: 'dist/instant-key.js',
    apiKey: 'seam_e2e_uiAqhE-707D6O7hdB5T-YiosLdd9KZEyaj30D0VM3OA',
  });
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a guest opens the demo page with an issued key and unlocks Room 412', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/#${hotel.token}`);

  const key = page.locator('instant-key');
  await key.and(page.locator('[state="ready"]')).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token is stripped from the address bar');

  const room = hotel.room.lock;
  const door = await attachVirtualLock(page, {
    lockId: room.lock_id,
    lockKey: base64urlToBytes(room.lock_key),
    name: room.ble_name,
  });
  try {
    await page.getByRole('button', { name: /Unlock Room 412/ }).click();
    await key.and(page.locator('[state="unlocked"]')).waitFor({ timeout: 15_000 });

    assert.equal(door.lock.unlockCount, 1, 'the bolt was driven once');
    const entry = door.lock.log.at(-1);
    assert.equal(entry?.status, 'OK');
    assert.equal(entry?.message, 'UNLOCK');
    assert.deepEqual(door.gattCounts(), { connections: 1, infoReads: 1, controlWrites: 2, controlReads: 2 });
    assert.deepEqual(errors, []);
  } finally {
    await door.detach();
    await page.close();
  }
});
