import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { baseUrlFor, resolveConfig, type ServerConfig, type ServerOptions } from './config.ts';
import type { AppContext } from './context.ts';

/** A listening server. */
export interface RunningServer {
  /** The server's public base URL (the credential endpoint and `/k` live under it). */
  url: string;
  /** Where the server actually listens (`http://host:port`), which a proxy may hide behind `url`. */
  localUrl: string;
  app: FastifyInstance;
  /** The admin API key (the configured one, or the generated dev key). */
  apiKey: string;
  config: ServerConfig;
  context: AppContext;
  /** Stops accepting connections, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

/**
 * Builds and starts the server. With `port: 0` the system picks a free port, and the
 * public URL defaults to the actual address.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(options);
  const { app, context } = await buildApp(config);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const localUrl = baseUrlFor(config.host, typeof address === 'object' && address ? address.port : config.port);
  if (config.publicBaseUrl === null) context.publicBaseUrl = localUrl;
  return {
    url: context.publicBaseUrl,
    localUrl,
    app,
    apiKey: config.apiKey,
    config,
    context,
    close: () => app.close(),
  };
}
