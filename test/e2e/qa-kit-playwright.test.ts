// The QA kit's Playwright helper, from Node, against a page that speaks raw Web Bluetooth
// written here (no library code in the page): one call puts a virtual lock in range, and the
// test reads its log, its GATT counts, drops the link and detaches.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import { attachVirtualLock, VirtualLock } from '../../src/testing/index.ts';

const SERVICE = '5a1e0001-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
const INFO = '5a1e0002-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
const CONTROL = '5a1e0003-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
const LOCK_ID = '3fa2c1d0-0000-4000-8000-000000000412';

// The page: a button that asks for the lock, then `window.probe` sends one raw frame.
const PAGE = `<!doctype html><html lang="en"><body><button id="go">Open</button><script type="module">
const hex = (v) => [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)].map((b) => b.toString(16).padStart(2, '0')).join('');
let chosen;
document.querySelector('#go').onclick = () => {
  chosen = navigator.bluetooth.requestDevice({ filters: [{ name: 'IK-QAKIT', services: ['${SERVICE}'] }] });
};
window.probe = async (frameHex) => {
  const device = await chosen;
  const server = await device.gatt.connect();
  const service = await server.getPrimaryService('${SERVICE}');
  const info = await (await service.getCharacteristic('${INFO}')).readValue();
  const control = await service.getCharacteristic('${CONTROL}');
  await control.writeValueWithResponse(new Uint8Array(frameHex.match(/../g).map((h) => parseInt(h, 16))));
  let reply = '';
  while (reply === '') reply = hex(await control.readValue());
  window.dropped = new Promise((resolve) => device.addEventListener('gattserverdisconnected', () => resolve(true)));
  return { info: hex(info), reply };
};
</script></body></html>`;

interface ProbePage {
  probe(frameHex: string): Promise<{ info: string; reply: string }>;
  dropped: Promise<boolean>;
}

let browser: Browser;
let server: Server;
let origin: string;

before(async () => {
  server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(origin);
  return page;
}

test('attachVirtualLock puts a lock in range in one call, and the test reads what it saw', async () => {
  const page = await openPage();
  const lockKey = new Uint8Array(32).fill(1);
  const door = await attachVirtualLock(page, { lockId: LOCK_ID, lockKey, name: 'IK-QAKIT', maxFrame: 200 });
  try {
    await page.click('#go');
    // A HELLO (a zero phone nonce, then a version-2 ticket of zeros) in one FINAL frame: the lock cannot open it.
    const frame = `8001${'00'.repeat(16)}02${'00'.repeat(113)}`;
    const { info, reply } = await page.evaluate((f) => (window as unknown as ProbePage).probe(f), frame);

    assert.equal(info, `02${LOCK_ID.replaceAll('-', '')}00c800000000`, 'info: version, lock id, max_frame 200, update sequence 0');
    assert.equal(reply, '800401', 'one FINAL frame carrying RESULT BAD_TICKET');
    assert.equal(door.lock.log.at(-1)?.status, 'BAD_TICKET');
    assert.deepEqual(door.gattCounts(), { connections: 1, infoReads: 1, controlWrites: 1, controlReads: 1 });

    await door.disconnect();
    assert.equal(await page.evaluate(() => (window as unknown as ProbePage).dropped), true, 'the page saw the link drop');
  } finally {
    await door.detach();
    await page.close();
  }
});

test('a chooser policy of cancel makes requestDevice reject, as a guest closing the prompt', async () => {
  const page = await openPage();
  const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: new Uint8Array(32), name: 'IK-QAKIT' });
  const door = await attachVirtualLock(page, lock, { chooser: { action: 'cancel' } });
  try {
    await page.click('#go');
    const error = await page.evaluate(() =>
      (window as unknown as ProbePage).probe('8001').then(
        () => null,
        (e: Error) => e.name,
      ),
    );
    assert.equal(error, 'NotFoundError');
    assert.equal(door.gattCounts().connections, 0);
  } finally {
    await door.detach();
    await page.close();
  }
});

/** Taps the page's button and sends a HELLO the lock cannot open: its answer proves the lock is in range. */
async function probeBadTicket(page: Page): Promise<string> {
  await page.click('#go');
  // A version-2 HELLO: a zero phone nonce, then a ticket of zeros.
  const { reply } = await page.evaluate((f) => (window as unknown as ProbePage).probe(f), `8001${'00'.repeat(16)}02${'00'.repeat(113)}`);
  return reply;
}

test('an attached lock stays in range when the page reloads or navigates', async () => {
  const page = await openPage();
  const door = await attachVirtualLock(page, { lockId: LOCK_ID, lockKey: new Uint8Array(32), name: 'IK-QAKIT', maxFrame: 200 });
  try {
    assert.equal(await probeBadTicket(page), '800401');
    await page.reload();
    await door.emulator.settled();
    assert.equal(await probeBadTicket(page), '800401', 'after a reload');
    await page.goto(`${origin}/elsewhere`);
    await door.emulator.settled();
    assert.equal(await probeBadTicket(page), '800401', 'after a navigation');
    assert.equal(door.lock.log.length, 3, 'one lock heard all three');
    assert.equal(door.gattCounts().connections, 3, 'counts carry across the restores');
  } finally {
    await door.detach();
    await page.close();
  }
});

test('a lock detached and attached again on the same page answers the chooser', async () => {
  const page = await openPage();
  const options = { lockId: LOCK_ID, lockKey: new Uint8Array(32), name: 'IK-QAKIT', maxFrame: 200 };
  const first = await attachVirtualLock(page, options);
  assert.equal(await probeBadTicket(page), '800401');
  await first.detach();
  const second = await attachVirtualLock(page, options);
  try {
    assert.equal(await probeBadTicket(page), '800401');
    assert.equal(second.lock.log.length, 1);
  } finally {
    await second.detach();
    await first.detach(); // a second detach of the old handle leaves nothing behind
    await page.close();
  }
});

test('a lock attached to a new page after the first one closed is in range', async () => {
  const options = { lockId: LOCK_ID, lockKey: new Uint8Array(32), name: 'IK-QAKIT', maxFrame: 200 };
  const first = await openPage();
  const door = await attachVirtualLock(first, options);
  try {
    assert.equal(await probeBadTicket(first), '800401');
    await first.close();
    const next = await openPage();
    await attachVirtualLock(next, door.lock);
    assert.equal(await probeBadTicket(next), '800401');
    assert.equal(door.lock.log.length, 2);
    await next.close();
  } finally {
    await door.detach();
  }
});
