// `npx tsx examples/serve.ts` (after `npm run build`): runs the plain and iframe examples against
// the stub server with a seeded demo hotel, each on the origins its HTML names:
//   http://127.0.0.1:8787   the stub server (credential endpoint)
//   http://localhost:8788   the key issuer's pages (plain/, iframe/key.html) and dist/
//   http://127.0.0.1:8789   the hotel's page that frames the key (iframe/hotel.html)
// The credential endpoint also allows http://localhost:5173, Vite's dev server for the React and
// Vue examples (`npx vite --config examples/react/vite.config.ts`).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemoHotel } from '../server-stub/seed.ts';
import { startServer } from '../server-stub/server.ts';
import { serveStatic } from './static-server.ts';

const root = new URL('..', import.meta.url).pathname;
const mounts = { '/dist/': join(root, 'dist'), '/': join(root, 'examples') };

const issuer = await serveStatic({ mounts, port: 8788, urlHost: 'localhost' });
const hotelSite = await serveStatic({ mounts, port: 8789 });
const server = await startServer({
  port: 8787,
  dataDir: mkdtempSync(join(tmpdir(), 'ik-examples-')),
  allowedOrigins: [issuer.url, hotelSite.url, 'http://localhost:5173'],
});
const hotel = await seedDemoHotel(server);

console.log(`plain:  ${issuer.url}/plain/#${hotel.token}`);
console.log(`iframe: ${hotelSite.url}/iframe/hotel.html#${hotel.token}`);
console.log(`React, Vue: npx vite --config examples/react/vite.config.ts (or vue/), then open http://localhost:5173/#${hotel.token}`);
