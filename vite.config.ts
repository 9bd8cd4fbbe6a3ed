import { defineConfig } from 'vite';

// The script-tag build: one self-contained ES module that defines <instant-key>, with every
// dependency inlined. nanostores reads process.env.NODE_ENV, which library mode leaves in.
export default defineConfig({
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: true,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'instant-key.js',
    },
    rolldownOptions: {
      output: { minify: true },
    },
  },
});
