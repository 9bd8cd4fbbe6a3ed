// The element inside a native app, emulated: real Chromium with no Web Bluetooth (as in a
// WKWebView or an Android WebView) and `window.instantKeyBridge` injected by the QA kit's
// bridge host, which answers with virtual IK1 locks. The element must be ready, unlock through
// the bridge, and end every fault as it does on Web Bluetooth.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import type { StaticServer } from '../../examples/static-server.ts';
import { attachBridgeHost, lockFromSpec, type BridgeHost, type BridgeHostOptions, type LockSpec } from '../../src/testing/index.ts';
import { mintKey, type KeyFixture } from '../browser/support/key-fixture.ts';
import { events, openKey, serveKeyPage, shownCode, stateIs } from './support/key-page.ts';

let browser: Browser;
let site: StaticServer;
let page: Page | undefined;

before(async () => {
  [browser, site] = await Promise.all([launchChromium(), serveKeyPage()]);
});

after(async () => {
  await browser?.close();
  await site?.close();
});

afterEach(async () => {
  await page?.close();
  page = undefined;
});

/** A page with the bridge host attached, one lock in range (as `spec` says) and the key open. */
async function openInApp(options: BridgeHostOptions & { lock?: (key: KeyFixture) => LockSpec } = {}) {
  const key = mintKey();
  page = await browser.newPage();
  const host = await attachBridgeHost(page, options);
  const door = host.addLock(lockFromSpec(options.lock?.(key) ?? key.locks[0]!));
  await openKey(page, site.url, key.response);
  await stateIs(page, 'ready');
  return { key, host, door, page };
}

const unlockRoom = (p: Page) => p.getByRole('button', { name: /Unlock Room 412/ }).click();

function ops(host: BridgeHost): string[] {
  return host.transcript.filter((e) => e.from === 'page').map((e) => String(e.message.op));
}

async function lastError(p: Page): Promise<string | undefined> {
  return (await events(p)).filter((e) => e.type === 'ik-error').at(-1)?.detail.code;
}

describe('the element inside a native app, through the bridge', () => {
  test('with no Web Bluetooth, the key is ready and unlocks Room 412 through the bridge', async () => {
    const { key, host, door, page } = await openInApp();
    assert.equal(await page.evaluate(() => 'bluetooth' in navigator), false, 'no Web Bluetooth, as in a WKWebView');

    await unlockRoom(page);
    await stateIs(page, 'unlocked');

    assert.equal(door.lock.unlockCount, 1, 'the bolt was driven once');
    assert.equal(door.lock.log.at(-1)?.status, 'OK');
    assert.deepEqual(door.counts(), { connections: 1, infoReads: 1, controlWrites: 2, controlReads: 2, disconnects: 1 });
    // The attempt re-checks Bluetooth as it starts, after the chooser was asked for in the tap.
    assert.deepEqual(ops(host), ['availability', 'choose', 'availability', 'connect', 'read', 'write', 'read', 'write', 'read', 'disconnect']);
    const choose = host.transcript.find((e) => e.message.op === 'choose')!.message;
    assert.deepEqual(choose.names, [door.lock.name]);
    assert.equal(choose.service, '5a1e0001-7c3d-4f5e-9a8b-1c2d3e4f5a6b');
    assert.equal((await events(page)).at(-1)?.type, 'ik-unlock');
    // The native side sees frames, never the link token or the credential key.
    const wire = JSON.stringify(host.transcript);
    assert.equal(wire.includes('ik_e2e_test_token'), false);
    const credentialKey = Buffer.from(key.response.credentials[0]!.credential_key, 'base64url');
    assert.equal(wire.includes(credentialKey.toString('base64')), false);
    assert.equal(wire.includes(key.response.credentials[0]!.credential_key), false);
  });

  test('a cancelled picker is a quiet notice in ready, as on Web Bluetooth', async () => {
    const { page } = await openInApp({ chooser: { action: 'cancel' } });
    await unlockRoom(page);
    await page.waitForFunction(() => document.querySelector('instant-key')!.shadowRoot!.querySelector('[part~="notice"]'));
    assert.equal(await page.locator('instant-key').getAttribute('state'), 'ready');
    assert.equal(await shownCode(page, 'notice'), 'ble_cancelled');
    assert.equal(await lastError(page), 'ble_cancelled');
  });

  test('Bluetooth off is a notice in ready, an error once an unlock fails, and gone when it is turned on', async () => {
    const { host, page } = await openInApp({ available: false });
    await page.waitForFunction(() => document.querySelector('instant-key')!.shadowRoot!.querySelector('[part~="notice"][data-code="ble_unavailable"]'));
    await unlockRoom(page);
    await stateIs(page, 'error');
    assert.equal(await shownCode(page, 'message'), 'ble_unavailable');
    assert.equal(await lastError(page), 'ble_unavailable');

    await page.getByRole('button', { name: 'Back' }).click();
    await host.setAvailable(true);
    await page.waitForFunction(() => !document.querySelector('instant-key')!.shadowRoot!.querySelector('[part~="notice"]'));
  });

  // The bolt count is the lock's own: a spoofed OK rides on a real unlock (the reply path lies).
  for (const [situation, code, bolts, setup] of [
    ['the lock is jammed', 'lock_jammed', 0, { lock: (k: KeyFixture) => ({ ...k.locks[0]!, faults: { jammed: true } }) }],
    ['the link drops mid-session', 'ble_disconnected', 0, { lock: (k: KeyFixture) => ({ ...k.locks[0]!, faults: { disconnectAfterFrames: 1 } }) }],
    ['the door is another lock with the same name', 'lock_wrong_lock', 0, { lock: (k: KeyFixture) => ({ ...k.locks[0]!, lockId: crypto.randomUUID() }) }],
    ['the OK is not authenticated', 'lock_unauthenticated', 1, { lock: (k: KeyFixture) => ({ ...k.locks[0]!, faults: { spoofUnauthenticatedOk: true } }) }],
  ] as const) {
    test(`ends in ${code} when ${situation}, as on Web Bluetooth`, async () => {
      const { door, page } = await openInApp(setup);
      await unlockRoom(page);
      await stateIs(page, 'error');
      assert.equal(await shownCode(page, 'message'), code);
      assert.equal(await lastError(page), code);
      assert.equal(door.lock.unlockCount, bolts);
      assert.equal(door.counts().disconnects, 1, 'the page released the link');
    });
  }

  test('a lock that never answers ends in ble_timeout after the step timeout, and the link is released', async () => {
    const { door, page } = await openInApp({ lock: (k) => ({ ...k.locks[0]!, faults: { hangAt: 'hello' } }) });
    await unlockRoom(page);
    await stateIs(page, 'error', 25_000);
    assert.equal(await shownCode(page, 'message'), 'ble_timeout');
    assert.equal(door.counts().disconnects, 1);
  });

  test("the native side's own GATT timeout is ble_timeout too", async () => {
    const { door, page } = await openInApp();
    door.faults.timeoutControl = true;
    await unlockRoom(page);
    await stateIs(page, 'error');
    assert.equal(await shownCode(page, 'message'), 'ble_timeout');
  });

  test('a lock dropped by the host while connected is ble_disconnected', async () => {
    const { host, door, page } = await openInApp({ lock: (k) => ({ ...k.locks[0]!, faults: { replyLatencyMs: 60_000 } }) });
    await unlockRoom(page);
    await host.request('write');
    await door.disconnect();
    await stateIs(page, 'error');
    assert.equal(await shownCode(page, 'message'), 'ble_disconnected');
    assert.equal(door.lock.unlockCount, 0);
  });

  test('a host that answers with a lock the key did not ask for is refused before connecting', async () => {
    const { host, page } = await openInApp();
    const stranger = host.addLock({ lockId: crypto.randomUUID(), lockKey: new Uint8Array(32), name: 'IK-STRANGER' });
    host.chooser = { action: 'force', device: stranger.device };
    await unlockRoom(page);
    await stateIs(page, 'error');
    assert.equal(await shownCode(page, 'message'), 'ble_connect_failed');
    assert.equal(ops(host).includes('connect'), false);
  });

  test('replies that are not the contract (bad JSON, unknown ids, wrong types) are ignored', async () => {
    const { host, door, page } = await openInApp();
    // The bridge's code rides in a lazy chunk: `receive` appears once it is there (until then
    // the contract has the native side hold its messages).
    await page.waitForFunction(() => typeof (window as unknown as { instantKeyBridge: { receive?: unknown } }).instantKeyBridge.receive === 'function');
    await page.evaluate(() => {
      const receive = (window as unknown as { instantKeyBridge: { receive(m: string): void } }).instantKeyBridge.receive;
      for (const junk of ['not json', '[]', '{"id":"1","ok":true}', '{"id":99999,"ok":true}', '{"event":"availability","available":"yes"}']) receive(junk);
    });
    await unlockRoom(page);
    await stateIs(page, 'unlocked');
    assert.equal(door.lock.unlockCount, 1);
    assert.equal(ops(host)[0], 'availability');
  });
});
