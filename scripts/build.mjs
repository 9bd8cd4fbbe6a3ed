// `npm run build` (and `prepack`): everything the package ships.
//   dist/instant-key.js (+ lazy instant-key-*.js chunks)  the script-tag file, vite.config.ts
//   dist/npm/                                             ES modules + .d.ts, tsconfig.build.json
//   custom-elements.json, web-types.json                  the element's manifest and IDE types
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { buildManifest } from './build-manifest.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

/** Builds the script-tag file and removes chunks a previous build left behind. */
export async function buildScriptTag() {
  const [result] = [await build({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })].flat();
  const current = new Set(result.output.map((o) => o.fileName));
  for (const file of readdirSync(dist)) {
    const chunk = file.replace(/\.map$/, '');
    if (/^instant-key-.+\.js$/.test(chunk) && !current.has(chunk)) rmSync(join(dist, file));
  }
}

/**
 * Compiles src/ to dist/npm/ with tsc; fails on any type error. The package ships src/ too:
 * the source maps point there, and so does the reference to the hand-written Web Bluetooth
 * declarations (src/ble/web-bluetooth.d.ts), which tsc does not copy.
 */
export function buildNpm() {
  rmSync(join(dist, 'npm'), { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildScriptTag();
  buildNpm();
  buildManifest();
  console.error('built dist/instant-key.js, dist/npm/, custom-elements.json, web-types.json');
}
