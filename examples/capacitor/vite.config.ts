import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const src = (file: string) => fileURLToPath(new URL(`../../src/${file}`, import.meta.url));

// In your app: `npm install instant-key @capacitor/core @capacitor-community/bluetooth-le`,
// and drop `resolve.alias`, which points this repository's example at its own source.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  resolve: {
    alias: {
      'instant-key/define': src('define.ts'),
      'instant-key': src('index.ts'),
    },
  },
});
