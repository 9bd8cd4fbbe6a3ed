// The shipped element (dist/instant-key.js on the demo page, credentials from the real stub
// server) against the clean-room lock written from docs/protocol.md alone by another engineer
// (test/unit/support/spec-lock.ts), in range of Chromium over emulated Bluetooth, at the
// smallest frame size: it opens for a revoked guest's old ticket while no update has reached
// it (the revocation lag), takes the update another guest carries, then refuses the first.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { BluetoothEmulator, type EmulatedLock } from '../../src/testing/bluetooth-emulator.ts';
import { SpecLock } from '../unit/support/spec-lock.ts';

const API_KEY = 'seam_e2e_hand_lock_key_WUT2k4Y4Il-wZP-304Z2vo4ZtblsJeHsAoXTKnHe2Ns';

let server: RunningServer;
let hotel: DemoHotel;
let browser: Browser;
let dataDir: string;

async function admin(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${server.localUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-e2e-hand-lock-'));
  server = await startServer({ port: 0, dataDir, staticDir: 'demo', elementFile: 'dist/instant-key.js', apiKey: API_KEY });
  hotel = await seedDemoHotel(server);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The clean-room lock as the emulator sees a lock: a BLE name, `info`, frame-level connections. */
function inRange(lock: SpecLock, name: string): EmulatedLock {
  return {
    name,
    info: () => lock.info(),
    connect: () => {
      const connection = lock.connect();
      return {
        writeFrame: (frame) => connection.write(frame),
        readFrame: () => connection.read(),
        close: () => connection.disconnect(),
        get closed() {
          return !connection.isConnected;
        },
      };
    },
  };
}

async function openKey(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}/#${token}`);
  await page.locator('instant-key').and(page.locator('[state="ready"]')).waitFor();
  return page;
}

async function tapUnlock(page: Page): Promise<{ state: string | null; code: string | null }> {
  await page.bringToFront();
  const key = page.locator('instant-key');
  await page.getByRole('button', { name: /Unlock Room 412/ }).click();
  await key.and(page.locator('[state="unlocked"], [state="error"]')).waitFor({ timeout: 15_000 });
  const state = await key.getAttribute('state');
  return { state, code: state === 'error' ? await page.locator('instant-key [part~="message"]').getAttribute('data-code') : null };
}

test('the element unlocks a lock built from the spec alone, and another guest carries it the revocation', async () => {
  const { user_identity } = await admin('/user_identities/create', { full_name: 'Grace Hopper' });
  await admin('/access_grants/create', {
    user_identity_id: user_identity.user_identity_id,
    acs_entrance_ids: [hotel.room.acs_entrance_id],
    starts_at: new Date(Date.now() - 3_600_000).toISOString(),
    ends_at: new Date(Date.now() + 86_400_000).toISOString(),
    requested_access_methods: [{ mode: 'mobile_key' }],
  });
  const { instant_key } = await admin('/user_identities/generate_instant_key', { user_identity_id: user_identity.user_identity_id });

  const guest1 = await openKey(hotel.token);
  await guest1.route('**/instant_keys/credentials', (route) => route.abort('internetdisconnected'));
  await admin('/instant_keys/delete', { instant_key_id: hotel.instant_key_id });
  const guest2 = await openKey(instant_key.instant_key_url.split('#')[1]);

  const lock = new SpecLock({
    lockId: hotel.room.lock.lock_id,
    lockKey: new Uint8Array(Buffer.from(hotel.room.lock.lock_key, 'base64url')),
    maxFrame: 20,
  });
  const emulator = await BluetoothEmulator.start(browser);
  try {
    await emulator.watchChooser(guest1);
    await emulator.watchChooser(guest2);
    const address = await emulator.addLock(inRange(lock, hotel.room.lock.ble_name));

    // The revocation lag: no phone has brought the update yet, so guest 1's old ticket opens.
    assert.deepEqual(await tapUnlock(guest1), { state: 'unlocked', code: null });
    assert.equal(lock.opened, 1);
    assert.deepEqual(emulator.counts(address), { connections: 1, infoReads: 1, controlWrites: 10, controlReads: 4 }, 'the 15 operations at max_frame 20');

    assert.deepEqual(await tapUnlock(guest2), { state: 'unlocked', code: null });
    assert.equal(lock.opened, 2);
    assert.ok(lock.updateSequence > 0);
    assert.deepEqual(
      lock.audit.flatMap((e) => (e.kind === 'update' ? [e.outcome] : [])),
      ['applied'],
    );

    // Guest 1's page waits out the unlocked hold, then taps again with the same old tickets.
    await guest1.locator('instant-key').and(guest1.locator('[state="ready"]')).waitFor({ timeout: 15_000 });
    assert.deepEqual(await tapUnlock(guest1), { state: 'error', code: 'lock_revoked' });
    assert.equal(lock.opened, 2);
  } finally {
    await emulator.stop();
    await guest1.close();
    await guest2.close();
  }
});
