/**
 * The two servers the credential benchmark loads, each run as its own process (so that the
 * load generator does not share their thread): `stub` is the real issuance server over a
 * fresh SQLite store (or the PostgreSQL database given) with the demo hotel seeded, `bare` a plain `node:http` handler that
 * answers the stub's own credential JSON bytes (and 304 to its ETag). Both listen on
 * loopback only and print one JSON line when ready.
 *
 *   node --import tsx bench/support/targets.ts stub <dataDir> [<postgres url>]
 *   node bench/support/targets.ts bare <bodyFile> <etag>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const HOST = '127.0.0.1';
/** High enough that the benchmark never meets the rate limits it is not measuring. */
const UNLIMITED = { max: 1_000_000_000, windowMs: 60_000 };

async function stub(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  const { startServer } = await import('../../server-stub/server.ts');
  const { seedDemoHotel } = await import('../../server-stub/seed.ts');
  const server = await startServer({
    host: HOST,
    port: 0,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    logLevel: false,
    rateLimit: { perToken: UNLIMITED, perIp: UNLIMITED },
  });
  const hotel = await seedDemoHotel(server);
  // The database round trips the store made, reported when asked to stop (PostgreSQL counts
  // them; the embedded SQLite store makes none).
  process.once('SIGTERM', () => {
    const roundTrips = (server.context.store as { roundTrips?: number }).roundTrips ?? 0;
    process.stdout.write(`${JSON.stringify({ roundTrips })}\n`);
    void server.close().then(() => process.exit(0));
  });
  // The token goes to the parent over a pipe, never to a terminal or a log.
  process.stdout.write(`${JSON.stringify({ url: server.localUrl, token: hotel.token })}\n`);
}

function bare(bodyFile: string, etag: string): void {
  const body = readFileSync(bodyFile);
  const server = createServer((request, response) => {
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, { etag });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, etag });
    response.end(body);
  });
  server.listen(0, HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ url: `http://${HOST}:${port}` })}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'stub' && args[0]) await stub(args[0], args[1]);
else if (mode === 'bare' && args[0] && args[1]) bare(args[0], args[1]);
else {
  process.stderr.write('usage: targets.ts stub <dataDir> [<postgres url>] | bare <bodyFile> <etag>\n');
  process.exit(2);
}
