// Where a phone's browser cannot open doors, the guest is helped onward (user agents emulated,
// Web Bluetooth removed as those browsers lack it): an Android WebView gets "Open in Chrome"
// (an intent URL that keeps the token in a fragment) and "Copy link", an iPhone gets the
// issuer's app when there is one and an explanation otherwise, a computer is told as before.
// The credential endpoint is never called: no device is spent on a dead end.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium.mjs';
import type { StaticServer } from '../../examples/static-server.ts';
import { mintKey } from '../browser/support/key-fixture.ts';
import { events, openKey, resolverCalls, serveKeyPage, stateIs } from './support/key-page.ts';

const UA = {
  androidWebView: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 Instagram 312.1.0.34.111 Android',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  desktop: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
};
const KEY_URL = 'https://keys.hotel.example/k#ik_HANDOFFTESTTOKEN000000000000000000000000000';

let browser: Browser;
let site: StaticServer;
let context: BrowserContext | undefined;

before(async () => {
  [browser, site] = await Promise.all([launchChromium(), serveKeyPage()]);
});
after(async () => {
  await browser?.close();
  await site?.close();
});
afterEach(async () => {
  await context?.close();
  context = undefined;
});

/** The key page as `userAgent` shows it, without Web Bluetooth, sharing `KEY_URL`. */
async function openOn(userAgent: string, attributes: Record<string, string> = {}): Promise<Page> {
  context = await browser.newContext({ userAgent });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.url });
  const page = await context.newPage();
  await page.addInitScript('delete Navigator.prototype.bluetooth');
  await openKey(page, site.url, mintKey().response, { 'share-url': KEY_URL, ...attributes });
  await stateIs(page, 'unsupported');
  return page;
}

const messageText = (page: Page) => page.locator('instant-key [part~="message"] p').innerText();
const handoffHref = (page: Page) => page.locator('instant-key [part~="handoff-button"]').getAttribute('href');

describe('the unsupported state helps the guest onward', () => {
  test('an Android in-app browser offers "Open in Chrome" with the token in a fragment, and "Copy link"', async () => {
    const page = await openOn(UA.androidWebView);
    await page.getByRole('link', { name: 'Open in Chrome' }).waitFor();
    assert.equal(
      await handoffHref(page),
      'intent://keys.hotel.example/k#ik_HANDOFFTESTTOKEN000000000000000000000000000#Intent;scheme=https;package=com.android.chrome;end',
    );
    assert.match(await messageText(page), /Open your key in Chrome.+If Chrome does not open, copy the link, open Chrome and paste it into the address bar\./);

    await page.locator('instant-key [part~="message"]').getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), KEY_URL);
    assert.equal(await resolverCalls(page), 0, 'no device spent');
    assert.deepEqual((await events(page)).map((e) => [e.type, e.detail.reason]), [['ik-unsupported', 'no_bluetooth']]);
  });

  test("an iPhone with the issuer's app configured offers \"Open in <app>\" carrying the key URL", async () => {
    const page = await openOn(UA.iphone, { 'ios-app-url': 'https://appclip.hotel.example/key', 'ios-app-name': 'Hotel Example' });
    await page.getByRole('link', { name: 'Open in Hotel Example' }).waitFor();
    const href = (await handoffHref(page))!;
    assert.equal(href, `https://appclip.hotel.example/key#${encodeURIComponent(KEY_URL)}`);
    assert.match(await messageText(page), /iPhone browsers cannot use Bluetooth\. Open your key in Hotel Example/);
    assert.equal(await resolverCalls(page), 0);
  });

  test('an iPhone without an app (or with a link that is not https) is told why, and offered to share the link', async () => {
    for (const attributes of [{}, { 'ios-app-url': 'http://appclip.hotel.example/key' }] as Record<string, string>[]) {
      const page = await openOn(UA.iphone, attributes);
      // The hand-off's words arrive with its chunk; the generic message shows until then.
      await page.locator('instant-key [part~="message"] p').filter({ hasText: /^iPhone browsers cannot use Bluetooth, so doors cannot be opened here/ }).waitFor();
      assert.match(await messageText(page), /Send this link to an Android phone with Chrome, or ask the front desk\.$/);
      await page.locator('instant-key').getByRole('button', { name: 'Share key' }).waitFor();
      assert.equal(await page.locator('instant-key [part~="handoff-button"]').count(), 0);
      await context!.close();
    }
    context = undefined;
  });

  test('a computer is told as before which browsers work', async () => {
    const page = await openOn(UA.desktop);
    await page.locator('instant-key').getByRole('button', { name: 'Share key' }).waitFor();
    assert.match(await messageText(page), /^Doors open with Bluetooth in Chrome, Edge or Samsung Internet on Android/);
    assert.equal(await page.locator('instant-key [part~="handoff-button"]').count(), 0);
  });

  test('the hand-off speaks the guest\'s language', async () => {
    const page = await openOn(UA.androidWebView, { lang: 'de' });
    await page.getByRole('link', { name: 'In Chrome öffnen' }).waitFor();
    assert.match(await messageText(page), /Öffnen Sie Ihren Schlüssel in Chrome/);
  });
});
