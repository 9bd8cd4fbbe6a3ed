// `npm run size`: raw, gzip and brotli sizes of the script-tag file and of the npm entries,
// next to a minimal Lit element, all built in this run with the same settings (vite.config.ts:
// minified, dependencies inlined). Fails when the script-tag file is over its budget.
// Run after `npm run build` (the npm entries are measured from dist/npm/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build, loadConfigFromFile, mergeConfig } from 'vite';

const root = new URL('..', import.meta.url).pathname;

/** dist/instant-key.js with English, brotli quality 11: the "16 KB", read as KiB. */
export const BUDGET_BROTLI_BYTES = 16 * 1024;

const MINIMAL_LIT = `
import { LitElement, css, html } from 'lit';
class MinimalElement extends LitElement {
  static properties = { name: {} };
  static styles = css\`:host { display: block; }\`;
  constructor() { super(); this.name = 'world'; }
  render() { return html\`<p>Hello, \${this.name}</p>\`; }
}
customElements.define('minimal-element', MinimalElement);
`;

/** Serves the baseline from memory (vite resolves lib entries as paths, hence a path). */
const MINIMAL_LIT_ENTRY = join(root, 'minimal-lit-element.js');
const minimalLitPlugin = {
  name: 'size:minimal-lit',
  enforce: 'pre',
  resolveId: (id) => (id === MINIMAL_LIT_ENTRY ? MINIMAL_LIT_ENTRY : null),
  load: (id) => (id === MINIMAL_LIT_ENTRY ? MINIMAL_LIT : null),
};

export function measure(code) {
  const bytes = Buffer.from(code);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/** Builds `entry` in memory with vite.config.ts's settings; returns the entry chunk and the lazy ones. */
async function bundle(entry, plugins = []) {
  const { config } = await loadConfigFromFile({ command: 'build', mode: 'production' }, join(root, 'vite.config.ts'), root, 'silent');
  const merged = mergeConfig(config, { root, logLevel: 'silent', plugins, build: { write: false, sourcemap: false, lib: { entry } } });
  const [result] = [await build({ ...merged, configFile: false })].flat();
  const chunks = result.output.filter((o) => o.type === 'chunk');
  return { main: chunks.find((c) => c.isEntry).code, lazy: chunks.filter((c) => !c.isEntry) };
}

export async function sizeReport() {
  const rows = [];
  const scriptTag = await bundle(join(root, 'src/define.ts'));
  rows.push({ name: 'dist/instant-key.js (script tag, English)', ...measure(scriptTag.main) });
  for (const chunk of scriptTag.lazy.sort((a, b) => a.name.localeCompare(b.name))) {
    rows.push({ name: `  lazy: ${chunk.name}`, ...measure(chunk.code) });
  }
  for (const [name, entry] of [
    ['instant-key/define (npm, bundled + minified)', 'dist/npm/define.js'],
    ['instant-key (npm, bundled + minified)', 'dist/npm/index.js'],
  ]) {
    if (!existsSync(join(root, entry))) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    rows.push({ name, ...measure((await bundle(join(root, entry))).main) });
  }
  rows.push({ name: 'minimal Lit element (baseline)', ...measure((await bundle(MINIMAL_LIT_ENTRY, [minimalLitPlugin])).main) });
  return rows;
}

function printTable(rows) {
  const kb = (n) => `${(n / 1024).toFixed(2)} KiB`.padStart(10);
  console.log(`${'file'.padEnd(46)} ${'raw'.padStart(10)} ${'gzip -9'.padStart(10)} ${'brotli 11'.padStart(10)}`);
  for (const r of rows) console.log(`${r.name.padEnd(46)} ${kb(r.raw)} ${kb(r.gzip)} ${kb(r.brotli)}   (${r.raw} / ${r.gzip} / ${r.brotli} B)`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await sizeReport();
  printTable(rows);
  const main = rows[0];
  const ok = main.brotli <= BUDGET_BROTLI_BYTES;
  console.log(
    `\n${ok ? 'within' : 'OVER'} budget: dist/instant-key.js is ${main.brotli} B brotli, budget ${BUDGET_BROTLI_BYTES} B` +
      (ok ? '' : ` (${main.brotli - BUDGET_BROTLI_BYTES} B over)`),
  );
  process.exit(ok ? 0 : 1);
}
