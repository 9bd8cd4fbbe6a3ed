// The device key in real Chromium against the real server: the element makes a
// non-extractable P-256 key, keeps it in IndexedDB, and proves it on every credential request;
// the server counts the browser once however often the link is opened, counts a page with
// blocked storage as a new device each time, and a phone with a skewed clock gets through
// the nonce challenge.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { seedDemoHotel, type DemoHotel } from '../../server-stub/seed.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';

const API_KEY = 'seam_e2e_device_binding_key_k4uNijSOZCjjrQnoW-xQ2Bxq1_xeUnoErjvhsbua9EY';
let server: RunningServer;
let browser: Browser;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ik-e2e-device-'));
  server = await startServer({ port: 0, dataDir, staticDir: 'demo', elementFile: 'dist/instant-key.js', apiKey: API_KEY, logLevel: false });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function admin(path: string, params: Record<string, string>): Promise<any> {
  const res = await fetch(`${server.url}${path}?${new URLSearchParams(params)}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return res.json();
}

const useCount = async (hotel: DemoHotel) => (await admin('/instant_keys/get', { instant_key_id: hotel.instant_key_id })).instant_key.use_count as number;
const usedEvents = async (hotel: DemoHotel) =>
  ((await admin('/events/list', { instant_key_id: hotel.instant_key_id })).events as any[]).filter((e) => e.event_type === 'instant_key.used');

/** Opens the guest's link in `context` and waits for the doors; returns the page and the DPoP headers it sent. */
async function openLink(context: BrowserContext, hotel: DemoHotel): Promise<{ page: Page; proofs: string[]; deviceHeaders: number }> {
  const page = await context.newPage();
  const proofs: string[] = [];
  let deviceHeaders = 0;
  page.on('request', (request) => {
    if (!request.url().endsWith('/instant_keys/credentials') || request.method() !== 'GET') return;
    const headers = request.headers();
    if (headers['dpop']) proofs.push(headers['dpop']);
    if (headers['instant-key-device']) deviceHeaders++;
  });
  await page.goto(`${server.url}/#${hotel.token}`);
  await page.locator('instant-key[state="ready"]').waitFor();
  return { page, proofs, deviceHeaders };
}

/** What the page's IndexedDB holds as its device key, and that key's RFC 7638 thumbprint. */
function storedDeviceKey(page: Page): Promise<{ thumbprint: string; extractable: boolean; usages: string[]; exportRefused: boolean; curve: string } | null> {
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
    const thumbprint = btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const exportRefused = await crypto.subtle.exportKey('pkcs8', pair.privateKey).then(
      () => false,
      () => true,
    );
    return {
      thumbprint,
      extractable: pair.privateKey.extractable,
      usages: pair.privateKey.usages,
      exportRefused,
      curve: (pair.privateKey.algorithm as EcKeyAlgorithm).namedCurve,
    };
  });
}

test('the element creates a non-extractable device key, keeps it in IndexedDB, and the server knows the browser by it', async () => {
  const hotel = await seedDemoHotel(server);
  const context = await browser.newContext();
  try {
    const first = await openLink(context, hotel);
    assert.equal(first.proofs.length, 1, 'one credential request, with a DPoP proof');
    assert.equal(first.deviceHeaders, 0, 'no Instant-Key-Device header any more');
    const stored = await storedDeviceKey(first.page);
    assert.ok(stored, 'a device key in IndexedDB');
    assert.equal(stored.extractable, false);
    assert.equal(stored.exportRefused, true, 'the private key cannot be exported');
    assert.deepEqual(stored.usages, ['sign']);
    assert.equal(stored.curve, 'P-256');
    const proofHeader = JSON.parse(Buffer.from(first.proofs[0]!.split('.')[0]!, 'base64url').toString());
    assert.deepEqual([proofHeader.typ, proofHeader.alg, proofHeader.jwk.crv], ['dpop+jwt', 'ES256', 'P-256']);

    const [used] = await usedEvents(hotel);
    assert.equal(used.device_id, stored.thumbprint, 'the server names the device by its key thumbprint');
    assert.match(used.device_description, /^Chrome on Linux$/);
    assert.equal('user_agent' in used, false);

    // Opened again, in a new tab and after the first is closed: the same device.
    await first.page.close();
    const again = await openLink(context, hotel);
    assert.equal((await storedDeviceKey(again.page))?.thumbprint, stored.thumbprint);
    assert.equal(await useCount(hotel), 1);
    assert.deepEqual(
      (await usedEvents(hotel)).map((e) => e.device_id),
      [stored.thumbprint, stored.thumbprint],
    );
  } finally {
    await context.close();
  }
});

test('a page where storage is blocked keeps its key in memory, and each page load is a new device', async () => {
  const hotel = await seedDemoHotel(server);
  const context = await browser.newContext();
  // As in a sandboxed frame or with site data blocked: IndexedDB refuses to open.
  await context.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    };
  });
  try {
    const first = await openLink(context, hotel);
    assert.equal(first.proofs.length, 1);
    await first.page.close();
    const second = await openLink(context, hotel);
    assert.equal(second.proofs.length, 1);
    const devices = (await usedEvents(hotel)).map((e) => e.device_id);
    assert.equal(devices.length, 2);
    assert.notEqual(devices[0], devices[1], 'a new key per page load');
    assert.equal(await useCount(hotel), 2);
  } finally {
    await context.close();
  }
});

test('a phone whose clock is an hour behind is challenged for a nonce, signs again once, and gets its doors', async () => {
  const hotel = await seedDemoHotel(server);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.clock.setFixedTime(Date.now() - 3_600_000);
    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/instant_keys/credentials') && response.request().method() === 'GET') answers.push(response.status());
    });
    await page.goto(`${server.url}/#${hotel.token}`);
    await page.locator('instant-key[state="ready"]').waitFor();
    assert.deepEqual(answers, [401, 200]);
    assert.equal(await useCount(hotel), 1);
  } finally {
    await context.close();
  }
});
