import { fileURLToPath } from 'node:url';
import { build as rolldown, RolldownMagicString } from 'rolldown';
import { defineConfig, type Plugin } from 'vite';

// The script-tag build, `dist/instant-key.js`: one ES module that defines <instant-key> and
// inlines every dependency it needs to render (lit, nanostores). Only what the code loads with
// `import()` (translations other than English, the unlock engine, the preview transport)
// becomes separate `instant-key-*.js` files next to it. The npm build is tsc
// (tsconfig.build.json), which keeps dependencies external.

/**
 * Minifies the element's stylesheets (`css` templates without interpolations in
 * `*.styles.ts`): comments out, whitespace collapsed. The minifier leaves template text alone.
 */
function minifyStyles(): Plugin {
  return {
    name: 'instant-key:minify-styles',
    apply: 'build',
    transform(code, id) {
      if (!/\/src\/.*\.styles\.ts$/.test(id)) return null;
      const out = new RolldownMagicString(code);
      for (const match of code.matchAll(/\bcss`([^`$\\]*)`/g)) {
        const start = match.index + 'css`'.length;
        const css = match[1]!
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':') // never meaningful after a colon, in a declaration or a selector
          .replace(/;}/g, '}')
          .trim();
        out.overwrite(start, start + match[1]!.length, css);
      }
      // Rolldown derives the source map from the magic string.
      return { code: out };
    },
  };
}

/** The script-tag entry's file name; its chunks find it at run time (see {@link entryAtRunTime}). */
const ENTRY_FILE = 'instant-key.js';
/** Where the entry leaves its own URL for its chunks. */
const ENTRY_URL = 'globalThis[Symbol.for("instant-key.entry")]';

/**
 * Makes the lazy chunks reach the entry at the URL it was really loaded from. A chunk that
 * imports `./instant-key.js` statically gets the file without its query string, so a page
 * loading `instant-key.js?ver=2` (WordPress adds `?ver=`) would run a second copy of the
 * element next to the first. Instead the entry records `import.meta.url` and the chunks import
 * that URL dynamically (top-level await), which gives them the one instance already running.
 */
function entryAtRunTime(): Plugin {
  const fromEntry = new RegExp(String.raw`\bimport\s*(?:(\{[^}]*\})|\*\s*as\s+([\w$]+))?\s*(?:from\s*)?(["'])\./${ENTRY_FILE.replace('.', '\\.')}\3;?`, 'g');
  return {
    name: 'instant-key:entry-at-run-time',
    apply: 'build',
    renderChunk(code, chunk) {
      const out = new RolldownMagicString(code);
      if (chunk.fileName === ENTRY_FILE) {
        out.prepend(`${ENTRY_URL}??=import.meta.url;\n`);
        return { code: out };
      }
      let changed = false;
      for (const match of code.matchAll(fromEntry)) {
        const [whole, named, namespace] = match;
        const load = `await import(${ENTRY_URL}??"./${ENTRY_FILE}")`;
        const binding = named ? `{${named.slice(1, -1).replace(/\s+as\s+/g, ':')}}` : namespace;
        out.overwrite(match.index, match.index + whole.length, binding ? `const ${binding}=${load};` : `${load};`);
        changed = true;
      }
      return changed ? { code: out } : null;
    },
  };
}

/**
 * A second, tiny output next to the entry: `instant-key.device-proof.js`, the device key and
 * DPoP proof code (src/credentials/device-proof.ts) alone, as one classic-script statement
 * defining `const DEVICE_PROOF = deviceProof`. The key page inlines it (server-stub/key-page)
 * to sign its early credential request before the entry has arrived: the element's own code,
 * built once more, never a copy.
 */
function deviceProofScript(): Plugin {
  let write = true;
  return {
    name: 'instant-key:device-proof-script',
    apply: 'build',
    configResolved(config) {
      // `npm run size` builds in memory: nothing to write then.
      write = config.build.write;
    },
    async closeBundle() {
      if (!write) return;
      await rolldown({
        input: fileURLToPath(new URL('./src/credentials/device-proof.ts', import.meta.url)),
        logLevel: 'warn',
        output: {
          file: fileURLToPath(new URL('./dist/instant-key.device-proof.js', import.meta.url)),
          format: 'iife',
          name: 'deviceProofModule',
          // The minifier folds these into one expression statement.
          banner: 'const DEVICE_PROOF=(()=>{',
          footer: 'return deviceProofModule.deviceProof})();',
          minify: true,
          comments: { annotation: false },
        },
      });
    },
  };
}

export default defineConfig({
  plugins: [minifyStyles(), entryAtRunTime(), deviceProofScript()],
  // nanostores reads process.env.NODE_ENV, which library mode leaves in.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    // Which chunk each module became: the server reads it to preload the key page's chunks.
    manifest: 'instant-key.manifest.json',
    lib: {
      entry: 'src/define.ts',
      formats: ['es'],
      fileName: () => 'instant-key.js',
    },
    rolldownOptions: {
      // Lets modules shared with the lazy chunks stay in this file (which then exports them to
      // those chunks) instead of moving to a common chunk the element would wait for.
      preserveEntrySignatures: 'allow-extension',
      output: {
        minify: true,
        // Pure annotations only help a later bundler, and nothing bundles this file again.
        comments: { annotation: false },
        chunkFileNames: 'instant-key-[name]-[hash].js',
      },
    },
  },
});
