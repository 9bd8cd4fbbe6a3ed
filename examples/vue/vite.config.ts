import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = (file: string) => fileURLToPath(new URL(`../../src/${file}`, import.meta.url));

// In your app: `npm install instant-key vue`, and drop the instant-key aliases, which point
// this repository's example at its own source. `vue` is the build with the template compiler,
// for the in-file template in main.ts.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  resolve: {
    alias: {
      'instant-key/define': src('define.ts'),
      'instant-key': src('index.ts'),
      vue: 'vue/dist/vue.esm-bundler.js',
    },
  },
});
