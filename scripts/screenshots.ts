// `npm run screenshots`: renders the element's states at a phone viewport (390 px), light and
// dark, left-to-right (English) and right-to-left (Arabic), and at a desktop one (1280 px) in
// English, into screenshots/<state>-<scheme>-<dir>-<width>.png for people to look at. Uses the built bundle (run `npm run build` first) in preview mode: sample doors and
// in-page virtual locks, so no server or Bluetooth is involved.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { launchChromium } from './chromium.mjs';

const DIST = 'dist';
const OUT = 'screenshots';
/** States preview mode cannot show: the element is given a link to a server instead. */
const LINKED: Array<[string, (tab: import('playwright-core').Page) => Promise<void>]> = [
  // The credential request never answers: the first load, as a guest on a slow network sees it.
  ['loading', async () => undefined],
  // No Web Bluetooth, as on iOS or Firefox: decided before any request.
  // (A string, not a function: tsx's name helpers do not exist in the page.)
  ['unsupported', async (tab) => void (await tab.addInitScript("Object.defineProperty(Navigator.prototype, 'bluetooth', { get: () => undefined })"))],
];

/**
 * [file name, preview attribute value, tap an Unlock button first (the first door's, or the
 * last one's) and wait for this state].
 */
const STATES: Array<[string, string, string?, ('first' | 'last')?]> = [
  ['ready', ''],
  ['unlocking', '', 'unlocking'],
  ['unlocked', '', 'unlocked'],
  // A final refusal: the front desk's phone and email under the door.
  ['error-lock-jammed', 'lock_jammed', 'error'],
  // The last door's failure, under that door, scrolled into view.
  ['error-ble-timeout-last-door', 'ble_timeout', 'error', 'last'],
  ['notice-ble-cancelled', 'ble_cancelled', 'ready'],
  ['error-network-offline', 'network_offline'],
  ['error-load-failed', 'load_failed'],
  ['error-link-max-use', 'link_max_use'],
  ['expired', 'link_expired'],
  ['revoked', 'link_revoked'],
];

const page = (lang: string, preview: string | null) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;padding:12px;background:Canvas;color-scheme:light dark}</style>
<script type="module" src="/instant-key.js"></script></head>
<body>${
  preview === null
    ? '<instant-key token="ik_screenshot_link_000000000000000000000000" endpoint="/slow"></instant-key>'
    : `<instant-key preview="${preview}" unlocked-hold="600000"></instant-key>`
}</body></html>`;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(page(url.searchParams.get('lang') ?? 'en', url.searchParams.get('preview')));
    return;
  }
  if (url.pathname.startsWith('/slow/')) return; // never answers; the tab closes it
  const file = join(DIST, normalize(url.pathname).replace(/^[/\\]+/, ''));
  try {
    res.setHeader('content-type', extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream');
    res.end(readFileSync(file));
  } catch {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

const browser = await launchChromium();
mkdirSync(OUT, { recursive: true });
let count = 0;
try {
  const layouts = [
    ['en', 'ltr', 390],
    ['ar', 'rtl', 390],
    ['en', 'ltr', 1280],
  ] as const;
  for (const scheme of ['light', 'dark'] as const) {
    for (const [lang, dir, width] of layouts) {
      const context = await browser.newContext({
        viewport: { width, height: width > 600 ? 800 : 844 },
        deviceScaleFactor: width > 600 ? 1 : 2,
        colorScheme: scheme,
        reducedMotion: 'reduce',
      });
      const file = (name: string) => join(OUT, `${name}-${scheme}-${dir}-${width}.png`);
      for (const [name, prepare] of LINKED) {
        const tab = await context.newPage();
        await prepare(tab);
        await tab.goto(`http://localhost:${port}/?lang=${lang}`);
        await tab.locator(`instant-key[state="${name}"]`).waitFor();
        if (lang !== 'en') await tab.waitForFunction(() => document.querySelector('instant-key')?.shadowRoot?.querySelector('[dir="rtl"]'));
        await tab.screenshot({ path: file(name), fullPage: true });
        count++;
        await tab.close();
      }
      for (const [name, preview, after, which = 'first'] of STATES) {
        const tab = await context.newPage();
        await tab.goto(`http://localhost:${port}/?lang=${lang}&preview=${preview}`);
        const key = tab.locator('instant-key');
        await key.and(tab.locator(':not([state="loading"])')).waitFor();
        // Translations load after the first render.
        if (lang !== 'en') await tab.waitForFunction(() => document.querySelector('instant-key')?.shadowRoot?.querySelector('[dir="rtl"]') && !/Your|This/.test(document.querySelector('instant-key')!.shadowRoot!.textContent ?? ''));
        if (after) {
          await key.locator('button[part~="unlock-button"]')[which]().click();
          await key.and(tab.locator(`[state="${after}"]`)).waitFor();
          if (after === 'ready') await key.locator('[part~="notice"]').waitFor();
        }
        // Not full page: what is in view is the point (the outcome where the guest looks).
        await tab.screenshot({ path: file(name), fullPage: after === undefined });
        count++;
        await tab.close();
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`${count} screenshots in ${OUT}/`);
