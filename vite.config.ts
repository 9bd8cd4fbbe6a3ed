import { RolldownMagicString } from 'rolldown';
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

export default defineConfig({
  plugins: [minifyStyles()],
  // nanostores reads process.env.NODE_ENV, which library mode leaves in.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
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
