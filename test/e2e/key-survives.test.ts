// A key that survives (issue 14), on the real key page (/k) of the real stub server: opened
// from its link, then reloaded, opened in a new tab from the address bar's handle, and from
// the original link again, each showing the doors and unlocking the emulated lock; the same
// offline, the page coming from the key page's service worker; a credential endpoint that never answers; a key revoked while online that a later
// offline reopen reports as withdrawn; and no secret readable in the browser's storage.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { attachVirtualLock, type AttachedVirtualLock } from '../../src/testing/playwright.ts';

const API_KEY = 'seam_e2e_survive_key_4uoTVgcuqc7ApLr-KPlrioGuwj3cCyjIDRMSvcBIEtc';

let server: RunningServer;
let browser: Browser;
let dataDir: string;
let hotel: DemoHotel;
let context: BrowserContext;
let door: AttachedVirtualLock | undefined;

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

beforeEach(async () => {
  // A fresh server, guest and key for each test, and a fresh browser profile (no vault yet).
  dataDir = mkdtempSync(join(tmpdir(), 'ik-survive-'));
  server = await startServer({ port: 0, dataDir, elementFile: 'dist/instant-key.js', apiKey: API_KEY, logLevel: false });
  hotel = await seedDemoHotel(server);
  context = await browser.newContext();
});

afterEach(async () => {
  await door?.detach();
  door = undefined;
  await context.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Every IndexedDB record and localStorage entry of the page's origin as text, bytes as Latin-1
 * and base64 (a plain string, not a function: the test runner's transform would rename inside).
 */
const DUMP_STORAGE = `(async () => {
  const out = [];
  const text = (value) => {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      const binary = String.fromCharCode(...bytes);
      out.push(binary, btoa(binary));
    } else if (value && typeof value === 'object' && !(value instanceof CryptoKey)) {
      for (const [k, v] of Object.entries(value)) { out.push(k); text(v); }
    } else out.push(String(value));
  };
  const done = (request) => new Promise((resolve) => { request.onsuccess = () => resolve(request.result); });
  for (const { name } of await indexedDB.databases()) {
    const db = await done(indexedDB.open(name));
    for (const store of db.objectStoreNames) text(await done(db.transaction(store).objectStore(store).getAll()));
    db.close();
  }
  for (let i = 0; i < localStorage.length; i++) out.push(localStorage.key(i), localStorage.getItem(localStorage.key(i)));
  return out.join('\\n');
})()`;

const keyUrl = (fragment: string) => `${server.url}/k${fragment}`;

async function ready(page: Page, timeout = 15_000): Promise<void> {
  await page.locator('instant-key[state="ready"]').waitFor({ timeout });
}

/** Room 412's lock, attached once: it stays in range across reloads, and a new page gets its chooser answered. */
async function roomLock(page: Page): Promise<AttachedVirtualLock> {
  const room = hotel.room.lock;
  if (!door) {
    door = await attachVirtualLock(page, { lockId: room.lock_id, lockKey: base64urlToBytes(room.lock_key), name: room.ble_name });
  } else {
    await door.emulator.watchChooser(page);
    await door.emulator.ensureEnabled();
  }
  return door;
}

async function unlockRoom(page: Page): Promise<void> {
  const lock = await roomLock(page);
  const before = lock.lock.unlockCount;
  await page.getByRole('button', { name: /Unlock Room 412/ }).click();
  await page.locator('instant-key[state="unlocked"]').waitFor({ timeout: 15_000 });
  assert.equal(lock.lock.unlockCount, before + 1, 'the bolt was driven');
}

/** Opens the original link, checks the doors, and returns the handle the address bar shows. */
async function firstOpen(page: Page): Promise<string> {
  await page.goto(keyUrl(`#${hotel.token}`));
  await ready(page);
  await page.waitForURL(/#k=[\w-]{22}$/);
  const handle = new URL(page.url()).hash.slice(3);
  // The fresh answer is sealed into the vault in the background: wait until it is there.
  await page.waitForFunction(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('instant-key-vault');
      request.onsuccess = () => resolve(request.result);
    });
    const records = await new Promise<Array<{ data?: ArrayBuffer }>>((resolve) => {
      const request = db.transaction('records').objectStore('records').getAll();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    return records.some((r) => (r.data?.byteLength ?? 0) > 500);
  });
  // The key page registers its service worker once the doors show (when the phone is idle),
  // and it claims the page when it activates: wait for it before any reload.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 15_000 });
  return handle;
}

async function doorNames(page: Page): Promise<string[]> {
  return page.locator('instant-key [part~="entrance"] .name').allTextContents();
}

/** Cuts the network: the page then comes from the key page's service worker (see `firstOpen`). */
async function goOffline(): Promise<void> {
  await context.setOffline(true);
}

test('the key opens again after a reload, in a new tab from the handle, and from the original link', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  const handle = await firstOpen(page);
  assert.ok(!page.url().includes(hotel.token), 'the token left the address bar');
  await unlockRoom(page);

  await page.reload();
  await ready(page);
  assert.equal(new URL(page.url()).hash, `#k=${handle}`);
  await unlockRoom(page);

  const tab = await context.newPage();
  await tab.goto(keyUrl(`#k=${handle}`));
  await ready(tab);
  await unlockRoom(tab);

  const again = await context.newPage();
  await again.goto(keyUrl(`#${hotel.token}`));
  await ready(again);
  await again.waitForURL(new RegExp(`#k=${handle}$`));
  await unlockRoom(again);
});

test('offline, a reload and a new tab show the saved doors and unlock the lock', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  const handle = await firstOpen(page);
  await goOffline();

  await page.reload();
  await ready(page);
  assert.deepEqual(await doorNames(page), ['Room 412', 'Elevator bank A', 'Pool']);
  assert.match(await page.locator('instant-key [part~="notice"]').innerText(), /^Offline · your key works until \d{1,2}:\d{2}/);
  await unlockRoom(page);

  const tab = await context.newPage();
  await tab.goto(keyUrl(`#k=${handle}`));
  await ready(tab);
  await unlockRoom(tab);
});

test('a credential endpoint that never answers: the saved doors within a few seconds', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  const handle = await firstOpen(page);
  await context.route('**/instant_keys/credentials', () => {
    // Never answered: a signal that hangs.
  });
  const tab = await context.newPage();
  const started = Date.now();
  await tab.goto(keyUrl(`#k=${handle}`));
  await ready(tab, 8000);
  const waited = Date.now() - started;
  assert.ok(waited >= 2500 && waited < 6000, `doors after ${waited} ms`);
  assert.equal(await tab.locator('instant-key [part~="notice"]').getAttribute('data-code'), 'saved');
  await unlockRoom(tab);
});

test('revoked while online, then reopened offline: withdrawn, not the doors', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  const handle = await firstOpen(page);
  const res = await fetch(`${server.url}/instant_keys/delete`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ instant_key_id: hotel.instant_key_id }),
  });
  assert.equal(res.status, 200);
  await page.reload();
  await page.locator('instant-key[state="revoked"]').waitFor();

  await goOffline();
  for (const fragment of [`#k=${handle}`, `#${hotel.token}`]) {
    const tab = await context.newPage();
    await tab.goto(keyUrl(fragment));
    await tab.locator('instant-key[state="revoked"]').waitFor();
    assert.deepEqual(await doorNames(tab), []);
  }
});

test('IndexedDB and localStorage hold no token, ticket, credential key or guest name', { timeout: 90_000 }, async () => {
  const page = await context.newPage();
  const answer = page.waitForResponse((r) => r.url().includes('/instant_keys/credentials') && r.status() === 200);
  await firstOpen(page);
  const body = (await (await answer).json()) as { instant_key: { user_identity: { display_name: string } }; credentials: Array<{ ticket: string; credential_key: string }> };
  const secrets = [hotel.token, body.instant_key.user_identity.display_name, ...body.credentials.flatMap((c) => [c.ticket, c.credential_key])];
  const dump = await page.evaluate<string>(DUMP_STORAGE);
  assert.ok(dump.length > 500, 'the dump holds the sealed record');
  for (const secret of secrets) assert.ok(!dump.includes(secret), `found in storage: ${secret.slice(0, 6)}…`);
});
