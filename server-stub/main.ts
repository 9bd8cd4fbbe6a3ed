/**
 * `npm run server`: the issuance server configured from the environment (api.md, "Server
 * start"). Stops gracefully on SIGINT/SIGTERM; a second signal forces the exit.
 */
import { ConfigError, optionsFromEnv } from './config.ts';
import { ensureElementBuilt } from './element-build.ts';
import { startServer } from './server.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const options = optionsFromEnv(process.env);
  // Every key link opens /k, which needs the element's files: serve the build, made if missing.
  options.elementFile ??= await ensureElementBuilt(undefined, (line) => process.stdout.write(`${line}\n`));
  const server = await startServer(options);
  if (server.config.apiKeyGenerated) {
    // Printed once, to stdout only, never logged: it is a credential.
    process.stdout.write(`Development API key (set API_KEY to choose one): ${server.apiKey}\n`);
  }
  process.stdout.write(`Instant Key server at ${server.url} (data in ${server.config.dataDir})\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? `Configuration error: ${err.message}` : String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
