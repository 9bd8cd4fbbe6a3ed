/**
 * `npm run bench:page`: how long a guest waits for the doors, the element against a vanilla
 * page that makes the same credential request and renders the same list with the same date
 * formatting (bench/page/vanilla.js), measured in the same run.
 *
 * Two placements: the key page `/k` (vanilla: a page on the issuer's origin) and a hotel's
 * page on another origin loading the element with one script tag (vanilla: the same page
 * with the vanilla script). Two networks: loopback, and Slow 4G emulated over CDP (150 ms
 * RTT, 1.6 Mbps down, 750 kbps up), with the element's files brotli-compressed by the server
 * as a CDN would send them. Every load is a fresh browser context (empty HTTP cache, no
 * service worker), element and vanilla loads interleaved round by round so that a slow spell
 * of a shared machine hits both. "Doors" is the animation frame in which the list is rendered
 * (after `ik-credentials` and the element's update; after the vanilla page's DOM write).
 *
 * Prints per case the medians and the element/vanilla ratio (median of per-round ratios, and
 * ratio of the medians). Not a test: nothing passes or fails. Goal: <= 1.3x on both networks.
 * Then, in one context with the key page's service worker, reloads online and offline: time
 * to doors of each (goal: offline no slower).
 * Options: --rounds=N (Slow 4G rounds; loopback runs 3x as many), --network=loopback|slow4g.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../scripts/chromium.mjs';
import { ensureElementBuilt } from '../server-stub/element-build.ts';
import { DEVICE_PROOF_FILE } from '../server-stub/element-files.ts';
import { seedDemoHotel } from '../server-stub/seed.ts';
import { startServer } from '../server-stub/server.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const SLOW_ROUNDS = Number(arg('rounds') ?? 7);
const NETWORKS = {
  loopback: null,
  slow4g: { offline: false, latency: 150, downloadThroughput: (1.6e6 / 8), uploadThroughput: (750e3 / 8) },
} as const;
type NetworkName = keyof typeof NETWORKS;
const chosenNetworks = (arg('network') ? [arg('network')] : Object.keys(NETWORKS)) as NetworkName[];

/** Marks the frame the element's doors are rendered in, as vanilla.js marks its own. */
const ELEMENT_MARK = `document.addEventListener('ik-credentials', (event) => {
  event.target.updateComplete.then(() => requestAnimationFrame(() => { window.__doorsAt ??= performance.now(); }));
});`;

const dataDir = mkdtempSync(join(tmpdir(), 'ik-bench-page-'));
const elementFile = await ensureElementBuilt();
// The vanilla page signs with the element's own device-proof build, as /k does (vanilla.js).
const vanillaJs = `${readFileSync(join(dirname(elementFile), DEVICE_PROOF_FILE), 'utf8')}\n${readFileSync(new URL('./page/vanilla.js', import.meta.url), 'utf8')}`;
// The issuer's copy of the vanilla page, served as a static folder.
const vanillaDir = mkdtempSync(join(tmpdir(), 'ik-bench-vanilla-'));
copyFileSync(new URL('./page/vanilla.html', import.meta.url), join(vanillaDir, 'vanilla.html'));
writeFileSync(join(vanillaDir, 'vanilla.js'), vanillaJs);

// The hotel's site, on another origin: the element by script tag, or the vanilla script.
let issuer = '';
const hotelSite: Server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  if (path === '/vanilla.js') {
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    return response.end(vanillaJs);
  }
  const element = path === '/element.html';
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Booking</title>${element ? `<script type="module" src="${issuer}/instant-key.js"></script>` : '<script type="module" src="/vanilla.js"></script>'}</head>
<body><h1>Your booking</h1>${element ? `<instant-key endpoint="${issuer}"></instant-key>` : `<main id="key" data-endpoint="${issuer}"></main>`}</body></html>`);
});
await new Promise<void>((resolve) => hotelSite.listen(0, '127.0.0.1', resolve));
const hotelOrigin = `http://127.0.0.1:${(hotelSite.address() as AddressInfo).port}`;

const server = await startServer({
  port: 0,
  dataDir,
  logLevel: false,
  elementFile,
  staticDir: vanillaDir,
  allowedOrigins: [hotelOrigin],
  // Every load is a new browser asking for the same key: far more than a guest would.
  rateLimit: { perToken: { max: 100_000, windowMs: 60_000 }, perIp: { max: 100_000, windowMs: 60_000 } },
});
issuer = server.url;
const hotel = await seedDemoHotel(server);
const browser: Browser = await launchChromium();

const CASES = {
  '/k': { element: `${issuer}/k#${hotel.token}`, vanilla: `${issuer}/vanilla.html#${hotel.token}` },
  'hotel page, other origin': { element: `${hotelOrigin}/element.html#${hotel.token}`, vanilla: `${hotelOrigin}/vanilla.html#${hotel.token}` },
} as const;

/** Milliseconds from navigation start to the doors' frame, in a fresh context. */
async function timeToDoors(url: string, network: NetworkName, element: boolean): Promise<number> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    if (element) await page.addInitScript(ELEMENT_MARK);
    const conditions = NETWORKS[network];
    if (conditions) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', conditions);
    }
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as { __doorsAt?: number }).__doorsAt !== undefined, null, { timeout: 60_000 });
    return await page.evaluate(() => (window as unknown as { __doorsAt: number }).__doorsAt);
  } finally {
    await context.close();
  }
}

/**
 * Reloads of `/k` once its service worker has the page: online, then with the context
 * offline, in the same context and round by round. Null when no doors showed (a reload needs
 * the key kept on the device, which is the element's key vault).
 */
async function reloadTimes(rounds: number): Promise<{ online: (number | null)[]; offline: (number | null)[] }> {
  const context = await browser.newContext();
  const online: (number | null)[] = [];
  const offline: (number | null)[] = [];
  try {
    const page = await context.newPage();
    await page.addInitScript(ELEMENT_MARK);
    await page.goto(CASES['/k'].element);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    const reload = async (): Promise<number | null> => {
      await page.reload({ waitUntil: 'commit' });
      try {
        await page.waitForFunction(() => (window as { __doorsAt?: number }).__doorsAt !== undefined, null, { timeout: 10_000 });
        return await page.evaluate(() => (window as unknown as { __doorsAt: number }).__doorsAt);
      } catch {
        return null;
      }
    };
    for (let round = 0; round < rounds; round++) {
      online.push(await reload());
      await context.setOffline(true);
      offline.push(await reload());
      await context.setOffline(false);
    }
  } finally {
    await context.close();
  }
  return { online, offline };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

console.log(`Page benchmark: time to doors, element vs vanilla, fresh contexts, Chromium ${browser.version()}`);
console.log('(the machine is shared: figures are noisy; compare the ratios, which come from the same rounds)\n');
let reloadLine = '';
const rows: string[][] = [['network', 'page', 'rounds', 'element ms', 'vanilla ms', 'ratio (paired)', 'ratio (medians)']];
try {
  for (const network of chosenNetworks) {
    const rounds = network === 'loopback' ? SLOW_ROUNDS * 3 : SLOW_ROUNDS;
    for (const [name, urls] of Object.entries(CASES)) {
      // One untimed load of each warms the server (compression, plan caches), not the browser.
      await timeToDoors(urls.element, 'loopback', true);
      await timeToDoors(urls.vanilla, 'loopback', false);
      const element: number[] = [];
      const vanilla: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // Alternate which goes first, so neither always gets the quieter half of a round.
        if (round % 2 === 0) {
          element.push(await timeToDoors(urls.element, network, true));
          vanilla.push(await timeToDoors(urls.vanilla, network, false));
        } else {
          vanilla.push(await timeToDoors(urls.vanilla, network, false));
          element.push(await timeToDoors(urls.element, network, true));
        }
      }
      const paired = median(element.map((e, i) => e / vanilla[i]!));
      rows.push([network, name, String(rounds), median(element).toFixed(0), median(vanilla).toFixed(0), `${paired.toFixed(2)}x`, `${(median(element) / median(vanilla)).toFixed(2)}x`]);
      console.log(`  ${network} · ${name}: element ${element.map((x) => x.toFixed(0)).join(' ')} | vanilla ${vanilla.map((x) => x.toFixed(0)).join(' ')}`);
    }
  }
  const reloads = await reloadTimes(Math.max(3, SLOW_ROUNDS));
  const summary = (xs: (number | null)[]) => {
    const shown = xs.filter((x): x is number => x !== null);
    return shown.length === xs.length ? `${median(shown).toFixed(0)} ms` : `no doors in ${xs.length - shown.length} of ${xs.length} reloads`;
  };
  console.log(`  loopback · /k reload with its service worker: online ${summary(reloads.online)} | offline ${summary(reloads.offline)}`);
  reloadLine = `Reload of /k (service worker, loopback): online ${summary(reloads.online)}, offline ${summary(reloads.offline)} (goal: offline no slower).`;
} finally {
  await browser.close();
  await server.close();
  await new Promise((resolve) => hotelSite.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(vanillaDir, { recursive: true, force: true });
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log('');
for (const row of rows) console.log(row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
console.log('\nGoal: element/vanilla <= 1.3x on both networks.');
if (reloadLine) console.log(reloadLine);
