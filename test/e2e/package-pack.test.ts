// The published package as a stranger gets it: `npm pack`, install the tarball into a fresh
// project (from npm's cache where it can: `npm ci` leaves the tarballs there, not always the
// registry's package documents, which a fresh machine fetches), then resolve every export from Node, type-check a
// strict consumer (DOM, React 19, Preact, the QA kit), and run publint and are-the-types-wrong.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { publint } from 'publint';
import { consumerSources } from '../package/consumer-sources.ts';

const root = new URL('../..', import.meta.url).pathname;
let work: string;
let app: string;
let tarball: string;
let packedFiles: string[];

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  // A hang guard, not a budget: a strict tsc over React, Preact and the kit takes over a minute on a loaded 2-core machine.
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** `name@version` of a package installed here, so npm finds its tarball in its cache. */
function installed(name: string): string {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
  return `${name}@${version}`;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ik-pack-'));
  run(process.execPath, ['scripts/build.mjs'], root);
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root).stdout);
  tarball = join(work, packed.filename);
  packedFiles = packed.files.map((f: { path: string }) => f.path);

  app = join(work, 'app');
  mkdirSync(app);
  for (const file of ['package.json', 'tsconfig.json', 'resolve.mjs']) copyFileSync(join(root, 'test/package/consumer', file), join(app, file));
  for (const [file, source] of Object.entries(consumerSources)) writeFileSync(join(app, file), source);
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball,
      ...['react', '@types/react', '@lit/react', 'preact', 'playwright-core', '@types/node'].map(installed)],
    app,
  );
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the script-tag file, the npm build, the manifest and web-types, and no tests', () => {
  for (const file of ['dist/instant-key.js', 'dist/npm/index.js', 'dist/npm/index.d.ts', 'dist/npm/define.js', 'dist/npm/testing/index.js', 'custom-elements.json', 'web-types.json']) {
    assert.ok(packedFiles.includes(file), `${file} is packed`);
  }
  assert.deepEqual(packedFiles.filter((f) => f.startsWith('test/') || f.endsWith('.test.ts')), []);
});

test('every export resolves from Node, and the QA kit loads and builds a lock without a DOM', () => {
  const report = JSON.parse(run(process.execPath, ['resolve.mjs'], app).stdout);
  for (const [subpath, file] of Object.entries(report.resolved)) assert.ok(file, `${subpath} resolves to a file`);
  assert.equal(report.resolved['instant-key/define'], 'node_modules/instant-key/dist/npm/define.js');
  assert.equal(report.lockName, 'IK-3FA2C1');
  assert.deepEqual(report.tags, ['instant-key']);
  assert.equal(report.version, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
});

test('a strict TypeScript project type-checks the element, its typed events, React 19 and Preact JSX and the QA kit', () => {
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
});

test('publint finds nothing to fix in the installed package', async () => {
  const { messages } = await publint({ pkgDir: join(app, 'node_modules/instant-key'), pack: false, strict: true });
  assert.deepEqual(messages, []);
});

test('are-the-types-wrong finds types for every entry under node16 (ESM) and bundler resolution', () => {
  run(process.execPath, [join(root, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarball, '--profile', 'esm-only', '--format', 'ascii'], work);
});
