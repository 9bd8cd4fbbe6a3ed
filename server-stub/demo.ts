/**
 * `npm start`: the demo. Serves the hotel page (`demo/`) and the built element, seeds the demo
 * hotel, and prints the guest's links. Configured like `npm run server`, except that without
 * DATA_DIR each run starts from a fresh temporary store.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, optionsFromEnv } from './config.ts';
import { seedDemoHotel } from './seed.ts';
import { startServer } from './server.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const elementFile = join(root, 'dist', 'instant-key.js');
  if (!existsSync(elementFile)) process.stdout.write('Note: dist/instant-key.js is missing; run `npm run build` first.\n');
  const options = optionsFromEnv(process.env);
  const server = await startServer({
    // The demo's own output is the links below; request logs on demand (LOG_LEVEL=info).
    logLevel: 'warn',
    ...options,
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'instant-key-demo-')),
    staticDir: join(root, 'demo'),
    elementFile,
  });
  const hotel = await seedDemoHotel(server);
  // Lock keys go to a private file, not the terminal: emulators read them from there.
  const locksFile = join(server.config.dataDir, 'demo-locks.json');
  writeFileSync(locksFile, `${JSON.stringify(hotel.entrances, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(
    [
      `Hotel demo page: ${server.url}/#${hotel.token}`,
      `Key page:        ${hotel.instant_key_url}`,
      `Preview:         ${server.url}/?preview  (sample doors and in-page virtual locks: no Bluetooth needed)`,
      `Admin API key:   ${server.apiKey}`,
      `Locks (ids, BLE names, keys): ${locksFile}`,
      '',
    ].join('\n'),
  );
  const stop = () => server.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? `Configuration error: ${err.message}` : String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
