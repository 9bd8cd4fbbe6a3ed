/**
 * `npm run lighthouse`: Lighthouse 12 (mobile, its default config) on the key page `/k` and
 * on the demo booking page, both opening a seeded key, in the system's Chromium with the
 * project's flags (scripts/chromium.mjs). Prints the four category scores, CLS, and every
 * audit that kept Accessibility or Best Practices under 100. Goal: Accessibility 100, Best
 * Practices 100, CLS 0. Performance is printed as measured: Lighthouse's simulated throttling
 * on a shared machine makes it noisy. Not a test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS, ensureChromium } from '../scripts/chromium.mjs';
import { ensureElementBuilt } from '../server-stub/element-build.ts';
import { seedDemoHotel } from '../server-stub/seed.ts';
import { startServer } from '../server-stub/server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ik-lighthouse-'));
const server = await startServer({
  port: 0,
  dataDir,
  logLevel: false,
  elementFile: await ensureElementBuilt(),
  staticDir: new URL('../demo', import.meta.url).pathname,
});
const hotel = await seedDemoHotel(server);
const chrome = await chromeLauncher.launch({ chromePath: await ensureChromium(), chromeFlags: ['--headless=new', ...CHROMIUM_ARGS] });

const pages = { '/k (key page)': `${server.url}/k#${hotel.token}`, '/ (demo booking page)': `${server.url}/#${hotel.token}` };
let failed = false;
try {
  for (const [name, url] of Object.entries(pages)) {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'] });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { categories, audits } = result.lhr;
    const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100);
    const cls = audits['cumulative-layout-shift']?.numericValue ?? NaN;
    console.log(`${name}: Performance ${score('performance')}, Accessibility ${score('accessibility')}, Best Practices ${score('best-practices')}, SEO ${score('seo')}${name.startsWith('/k') ? ' (noindex on purpose)' : ''}, CLS ${cls.toFixed(3)}, LCP ${((audits['largest-contentful-paint']?.numericValue ?? 0) / 1000).toFixed(2)} s`);
    for (const item of ((audits['layout-shifts']?.details as { items?: unknown[] } | undefined)?.items ?? []).slice(0, 5)) console.log(`  layout shift: ${JSON.stringify(item).slice(0, 400)}`);
    for (const id of ['accessibility', 'best-practices']) {
      for (const ref of categories[id]?.auditRefs ?? []) {
        const audit = audits[ref.id];
        if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) {
          console.log(`  ${id}: ${audit.id} (${audit.title})`);
          const items = (audit.details as { items?: unknown[] } | undefined)?.items ?? [];
          for (const item of items.slice(0, 5)) console.log(`    ${JSON.stringify(item).slice(0, 300)}`);
        }
      }
    }
    if (score('accessibility') < 100 || score('best-practices') < 100 || cls > 0) failed = true;
  }
} finally {
  await chrome.kill();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failed ? '\nBelow the goal (Accessibility 100, Best Practices 100, CLS 0).' : '\nGoal met: Accessibility 100, Best Practices 100, CLS 0 on both pages.');
