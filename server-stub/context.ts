import type { FastifyRequest } from 'fastify';
import type { ServerConfig } from './config.ts';
import type { Db } from './db.ts';
import type { KeyCache } from './key-cache.ts';
import type { PlanCache } from './plan-cache.ts';
import type { WriteBatch } from './write-batch.ts';

/** What every route needs: the resolved config, the store and the public URL. */
export interface AppContext {
  readonly config: ServerConfig;
  readonly db: Db;
  /** Group commit for the credential endpoint's per-request writes. */
  readonly writes: WriteBatch;
  /** Credential plans between requests; admin routes clear it. */
  readonly plans: PlanCache;
  /** Key rows and admitted devices between credential requests; admin routes clear the rows. */
  readonly keys: KeyCache;
  /** The admin routes' `onRequest` hook: the API key, with failures throttled per address. */
  readonly adminAuth: (request: FastifyRequest) => Promise<void>;
  /**
   * The server's public base URL (no trailing slash). Mutable because with port 0 the
   * default (`http://{HOST}:{PORT}`) is known only once listening.
   */
  publicBaseUrl: string;
}
