// `npm run server` on its own, as a hotel would start it: every link it issues opens a working
// key page, and a hotel's page on an allowed origin loads the element from it, even with the
// `?ver=` query WordPress adds to script URLs.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { base64urlToBytes } from '../../src/protocol/bytes.ts';
import { attachVirtualLock } from '../../src/testing/playwright.ts';
import { issueRoomKey, startBareServer, type BareServer } from './support/bare-server.ts';

let server: BareServer;
let hotelSite: Server;
let hotelOrigin: string;
let browser: Browser;

before(async () => {
  // The hotel's own site, on another origin: a booking page embedding the element.
  hotelSite = createServer((request, response) => {
    const issuer = new URL(request.url ?? '/', 'http://x').searchParams.get('issuer') ?? '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><title>Booking</title>
<script type="module" src="${issuer}/instant-key.js?ver=6.4.2"></script>
<h1>Your booking</h1><instant-key endpoint="${issuer}"></instant-key>`);
  });
  await new Promise<void>((resolve) => hotelSite.listen(0, '127.0.0.1', resolve));
  hotelOrigin = `http://127.0.0.1:${(hotelSite.address() as AddressInfo).port}`;
  server = await startBareServer({ ALLOWED_ORIGINS: hotelOrigin });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => hotelSite?.close(resolve));
});

/** Taps the room's Unlock button next to an emulated lock; resolves to the lock's log. */
async function unlockRoom(page: Page, lock: { lock_id: string; ble_name: string; lock_key: string }) {
  const key = page.locator('instant-key');
  await key.and(page.locator('[state="ready"]')).waitFor();
  const door = await attachVirtualLock(page, { lockId: lock.lock_id, lockKey: base64urlToBytes(lock.lock_key), name: lock.ble_name });
  try {
    await page.getByRole('button', { name: /Unlock Room 101/ }).click();
    await key.and(page.locator('[state="unlocked"]')).waitFor({ timeout: 15_000 });
    return { unlockCount: door.lock.unlockCount, last: door.lock.log.at(-1) };
  } finally {
    await door.detach();
  }
}

/** Page errors and console errors, which a working page has none of. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  return errors;
}

test('an instant_key_url issued by a bare npm run server opens a key page that unlocks the door', async () => {
  const issued = await issueRoomKey(server);
  assert.ok(issued.url.startsWith(`${server.url}/k#ik_`), issued.url);
  const page = await browser.newPage();
  const errors = collectErrors(page);
  try {
    await page.goto(issued.url);
    const { unlockCount, last } = await unlockRoom(page, issued.lock);
    assert.equal(unlockCount, 1);
    assert.equal(last?.status, 'OK');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a page on an allowed origin loads the element from the server once, ?ver= and all, and unlocks', async () => {
  const issued = await issueRoomKey(server);
  const page = await browser.newPage();
  const errors = collectErrors(page);
  try {
    await page.goto(`${hotelOrigin}/?issuer=${encodeURIComponent(server.url)}#${issued.token}`);
    const { unlockCount } = await unlockRoom(page, issued.lock);
    assert.equal(unlockCount, 1);
    const scripts = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname + new URL(e.name).search).filter((p) => p.startsWith('/instant-key')),
    );
    assert.deepEqual(scripts.filter((p) => p.startsWith('/instant-key.js')), ['/instant-key.js?ver=6.4.2'], 'the entry is loaded once, at the URL the page gave');
    assert.ok(scripts.some((p) => /^\/instant-key-engine-[\w-]+\.js$/.test(p)), `the unlock engine came as a chunk: ${scripts.join(', ')}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a page on an origin that is not allowed cannot load the element', async () => {
  // The same hotel page, reached by another name for the same machine: another origin.
  const elsewhere = hotelOrigin.replace('127.0.0.1', 'localhost');
  const page = await browser.newPage();
  const errors = collectErrors(page);
  try {
    await page.goto(`${elsewhere}/?issuer=${encodeURIComponent(server.url)}`);
    await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/instant-key.js')));
    await page.waitForLoadState('load');
    assert.equal(await page.evaluate(() => customElements.get('instant-key')), undefined);
    assert.ok(errors.some((e) => /CORS|Access-Control-Allow-Origin/i.test(e)), errors.join('\n'));
  } finally {
    await page.close();
  }
});

test('the element files carry CORS for the allowed origin and are sent compressed', async () => {
  const res = await fetch(`${server.url}/instant-key.js?ver=6.4.2`, { headers: { origin: hotelOrigin, 'accept-encoding': 'br' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), hotelOrigin);
  assert.equal(res.headers.get('content-encoding'), 'br');
  const other = await fetch(`${server.url}/instant-key.js`, { headers: { origin: 'https://elsewhere.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});
