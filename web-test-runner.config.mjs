// Browser tests of the element in real Chromium, with IK1 locks emulated over CDP.
// Run through `node --import tsx` (scripts/test.mjs does) so this file can load the TS plugin.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter, summaryReporter } from '@web/test-runner';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { CHROMIUM_ARGS, ensureChromium } from './scripts/chromium.mjs';
import { countReporter } from './scripts/wtr-count-reporter.mjs';
import { virtualLockPlugin } from './src/testing/wtr-plugin.ts';

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  // Bluetooth emulation is browser-wide: one test file at a time.
  concurrency: 1,
  testsFinishTimeout: 120_000,
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: await ensureChromium(), headless: true, args: CHROMIUM_ARGS },
    }),
  ],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), virtualLockPlugin()],
  reporters: [defaultReporter(), summaryReporter({ flatten: false }), countReporter()],
  testFramework: { config: { timeout: 20_000 } },
  // nanostores reads process.env.NODE_ENV, which bundlers replace; the test server does not bundle.
  testRunnerHtml: (testFramework) => `<!doctype html>
    <html lang="en"><head><script>globalThis.process = { env: { NODE_ENV: 'development' } };</script></head>
    <body><script type="module" src="${testFramework}"></script></body></html>`,
};
