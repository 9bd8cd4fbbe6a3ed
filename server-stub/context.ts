import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from './config.ts';
import type { Store } from './store/store.ts';

/** What every route needs: the resolved config, the store and the public URL. */
export interface AppContext {
  readonly config: ServerConfig;
  /** SQLite (embedded) or PostgreSQL (DATABASE_URL): every route goes through it. */
  readonly store: Store;
  /** The admin routes' `onRequest` hook: the API key, with failures throttled per address. */
  readonly adminAuth: (request: FastifyRequest) => Promise<void>;
  /**
   * The server's public base URL (no trailing slash). Mutable because with port 0 the
   * default (`http://{HOST}:{PORT}`) is known only once listening.
   */
  publicBaseUrl: string;
}
