// Revocation carried to an offline lock by phones, end to end: the real stub server, two guests
// of Room 412 in real Chromium, and an emulated lock that never talks to the server. Guest 1's
// page loads its tickets; the issuer revokes guest 1's key; guest 2 unlocks and so carries the
// room's new lock update; guest 1's page, which never refreshed, taps Unlock and the lock
// refuses it. The lock's own list, sequence and audit log are the proof.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { base64urlToBytes, bytesToBase64url, randomBytes } from '../../src/protocol/bytes.ts';
import { lockUpdateSequence } from '../../src/protocol/lock-update.ts';
import { attachVirtualLock } from '../../src/testing/playwright.ts';
import { VirtualLock } from '../../src/testing/virtual-lock.ts';
import { dpopProof } from '../../src/credentials/dpop.ts';

const API_KEY = 'seam_e2e_revocation_key_qkxm7ANjxKndRvgD-rCu6DMbZhETwOrK5J3hChf4SiU';
/** Room 412 and the elevator share a key (as readers of one bank may): their updates differ by lock id only. */
const SHARED_KEY = bytesToBase64url(randomBytes(32));

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

/** The probing phone's device key: credential requests carry a DPoP proof made with it. */
const probeKey = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);

/** What the credential endpoint gives `token` now (as a fresh phone would see it). */
async function credentialsOf(token: string): Promise<any> {
  const url = `${server.localUrl}/instant_keys/credentials`;
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, dpop: await dpopProof(await probeKey, { htm: 'GET', htu: url, token }) },
  });
  return res.json();
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-e2e-revocation-'));
  server = await startServer({ port: 0, dataDir, staticDir: 'demo', elementFile: 'dist/instant-key.js', apiKey: API_KEY });
  hotel = await seedDemoHotel(server, { lockKeys: { room: SHARED_KEY, elevator: SHARED_KEY } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A second guest with a grant on Room 412 and a key of their own. */
async function roommate(): Promise<string> {
  const { user_identity } = await admin('/user_identities/create', { full_name: 'Grace Hopper' });
  await admin('/access_grants/create', {
    user_identity_id: user_identity.user_identity_id,
    acs_entrance_ids: [hotel.room.acs_entrance_id],
    starts_at: new Date(Date.now() - 3_600_000).toISOString(),
    ends_at: new Date(Date.now() + 86_400_000).toISOString(),
    requested_access_methods: [{ mode: 'mobile_key' }],
  });
  const { instant_key } = await admin('/user_identities/generate_instant_key', { user_identity_id: user_identity.user_identity_id });
  return instant_key.instant_key_url.split('#')[1];
}

async function openKey(token: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}/#${token}`);
  await page.locator('instant-key').and(page.locator('[state="ready"]')).waitFor();
  return page;
}

/** Taps Unlock Room 412 and waits for the element to settle; returns its state and the error code shown. */
async function tapUnlock(page: Page): Promise<{ state: string | null; code: string | null }> {
  await page.bringToFront();
  const key = page.locator('instant-key');
  await page.getByRole('button', { name: /Unlock Room 412/ }).click();
  await key.and(page.locator('[state="unlocked"], [state="error"]')).waitFor({ timeout: 15_000 });
  const state = await key.getAttribute('state');
  const code = state === 'error' ? await page.locator('instant-key [part~="message"]').getAttribute('data-code') : null;
  return { state, code };
}

test('a revoked guest’s never-refreshed page is refused by an offline lock once another guest has carried the update', async () => {
  const guest2Token = await roommate();
  const guest1 = await openKey(hotel.token);
  const guest1Credential = (await credentialsOf(hotel.token)).credentials.find((c: any) => c.entrance.display_name === 'Room 412');
  // From here on guest 1's page gets nothing new from the server: it keeps the tickets it loaded.
  await guest1.route('**/instant_keys/credentials', (route) => route.abort('internetdisconnected'));

  await admin('/instant_keys/delete', { instant_key_id: hotel.instant_key_id });

  const guest2 = await openKey(guest2Token);
  const lock = new VirtualLock({ lockId: hotel.room.lock.lock_id, lockKey: base64urlToBytes(SHARED_KEY), name: hotel.room.lock.ble_name });
  const door = await attachVirtualLock(guest2, lock);
  await door.emulator.watchChooser(guest1);
  try {
    assert.equal(lock.updateSequence, 0, 'the lock has never heard of the revocation');
    assert.deepEqual(await tapUnlock(guest2), { state: 'unlocked', code: null });
    assert.equal(lock.unlockCount, 1);
    assert.deepEqual(
      lock.log.map((e) => [e.message, e.status ?? e.update?.outcome]),
      [
        ['UPDATE', 'applied'],
        ['HELLO', 'OK'],
        ['UNLOCK', 'OK'],
      ],
    );
    assert.ok(lock.revocationList.includes(guest1Credential.credential_id), 'guest 1’s credential is on the lock’s list');
    assert.ok(lock.updateSequence > 0);
    assert.equal(door.gattCounts().controlWrites, 2, 'the update rode inside the one HELLO frame');

    assert.deepEqual(await tapUnlock(guest1), { state: 'error', code: 'lock_revoked' });
    assert.equal(lock.unlockCount, 1, 'the door stayed shut for guest 1');
    assert.deepEqual(lock.log.at(-1), { ...lock.log.at(-1), message: 'HELLO', status: 'REVOKED', credentialId: guest1Credential.credential_id });
  } finally {
    await door.detach();
    await guest1.close();
    await guest2.close();
  }

  // Stale, forged and other-lock updates, from the server's own bytes: refused and logged.
  const held = lock.updateSequence;
  const fresh = await credentialsOf(guest2Token);
  const roomUpdate = base64urlToBytes(fresh.credentials[0].lock_update);
  assert.equal(lockUpdateSequence(roomUpdate), held);
  const forged = roomUpdate.slice();
  forged[1]! ^= 0x80; // a sequence far above the lock's, which the seal no longer covers
  const elevatorUpdate = (await credentialsOfElevator()).lock_update;
  const outcomes = [
    lock.applyUpdate(roomUpdate),
    lock.applyUpdate(forged),
    lock.applyUpdate(base64urlToBytes(elevatorUpdate)),
  ];
  assert.deepEqual(outcomes, ['stale', 'forged', 'other_lock']);
  assert.deepEqual(
    lock.log.slice(-3).map((e) => [e.message, e.update?.outcome]),
    [
      ['UPDATE', 'stale'],
      ['UPDATE', 'forged'],
      ['UPDATE', 'other_lock'],
    ],
  );
  assert.equal(lock.updateSequence, held);
});

/** The elevator's latest update, as a guest of the elevator bank receives it. */
async function credentialsOfElevator(): Promise<any> {
  const { user_identity } = await admin('/user_identities/create', { full_name: 'Alan Turing' });
  await admin('/access_grants/create', {
    user_identity_id: user_identity.user_identity_id,
    acs_entrance_ids: [hotel.elevator.acs_entrance_id],
    starts_at: new Date(Date.now() - 3_600_000).toISOString(),
    ends_at: new Date(Date.now() + 86_400_000).toISOString(),
    requested_access_methods: [{ mode: 'mobile_key' }],
  });
  const { instant_key } = await admin('/user_identities/generate_instant_key', { user_identity_id: user_identity.user_identity_id });
  const body = await credentialsOf(instant_key.instant_key_url.split('#')[1]);
  const elevator = body.credentials.find((c: any) => c.lock.lock_id === hotel.elevator.lock.lock_id);
  assert.ok(elevator?.lock_update, 'revoking guest 1 updated the elevator too');
  return elevator;
}
