// `npm test`: type check, unit, server, browser, end-to-end tests and the size budget, then one closing line
// `N passed, N failed` over all of them. `npm test -- unit browser` runs only those suites.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium } from './chromium.mjs';
import { startPostgres } from './postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'ik-test-'));
const wanted = new Set(process.argv.slice(2));
const totals = { passed: 0, failed: 0, skipped: 0 };

function testFiles(dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true })
    .filter((f) => /\.test\.ts$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function run(label, command, args, env = {}) {
  console.log(`\n=== ${label}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

/** Runs node's test runner, reading its counts from a TAP copy of the report. */
function nodeSuite(label, files, env = {}) {
  if (files.length === 0) return;
  const tap = join(work, `${label}.tap`);
  const ok = run(label, process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], env);
  const report = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const field = (name) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  totals.passed += field('pass');
  totals.failed += field('fail') + field('cancelled');
  totals.skipped += field('skipped') + field('todo');
  if (!ok && field('fail') + field('cancelled') === 0) totals.failed++; // crashed before reporting
}

function step(label, ok) {
  if (ok) totals.passed++;
  else totals.failed++;
  console.log(`${ok ? '✔' : '✖'} ${label}`);
}

const suites = {
  typecheck() {
    step('type check (tsc --noEmit)', run('typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit']));
  },
  unit() {
    // The server suite runs its PostgreSQL tests on TEST_DATABASE_URL, else on a throwaway
    // cluster started here (installed first when the machine has none). The HTTP server tests
    // (every test/server file that starts a TestServer) then run a second time on PostgreSQL.
    let cluster;
    if (!process.env.TEST_DATABASE_URL) {
      try {
        cluster = startPostgres();
      } catch (error) {
        console.error(error.message);
        step('PostgreSQL for the server suite', false);
        return;
      }
      console.log(`PostgreSQL: ${cluster.url}`);
    }
    const database = cluster ? { TEST_DATABASE_URL: cluster.url } : {};
    try {
      nodeSuite('unit', [...testFiles('test/unit'), ...testFiles('test/server')], database);
      const perStore = testFiles('test/server').filter((f) => readFileSync(join(root, f), 'utf8').includes('TestServer'));
      nodeSuite('server-postgres', perStore, { ...database, TEST_STORE: 'postgres' });
    } finally {
      cluster?.stop();
    }
  },
  browser() {
    const counts = join(work, 'wtr.json');
    const ok = run('browser', process.execPath, ['--import', 'tsx', 'node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'], {
      IK_WTR_COUNTS: counts,
    });
    const c = existsSync(counts) ? JSON.parse(readFileSync(counts, 'utf8')) : { passed: 0, failed: 0, skipped: 0, errors: 1 };
    totals.passed += c.passed;
    totals.failed += c.failed + c.errors;
    totals.skipped += c.skipped;
    if (!ok && c.failed + c.errors === 0) totals.failed++;
  },
  e2e() {
    step('build (script-tag file, npm entries, manifest)', run('build', process.execPath, ['scripts/build.mjs']));
    nodeSuite('e2e', testFiles('test/e2e'));
    step('size budget of dist/instant-key.js', run('size', process.execPath, ['scripts/size.mjs']));
  },
};

const chosen = Object.keys(suites).filter((name) => wanted.size === 0 || wanted.has(name));
if (chosen.some((name) => name === 'browser' || name === 'e2e')) {
  try {
    process.env.CHROMIUM_PATH = await ensureChromium();
    console.log(`Chromium: ${process.env.CHROMIUM_PATH}`);
  } catch (error) {
    console.error(error.message);
    console.log(`\n0 passed, 1 failed`);
    process.exit(1);
  }
}
for (const name of chosen) suites[name]();

const skipped = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`\n${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
