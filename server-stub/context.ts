import type { ServerConfig } from './config.ts';
import type { Db } from './db.ts';

/** What every route needs: the resolved config, the store and the public URL. */
export interface AppContext {
  readonly config: ServerConfig;
  readonly db: Db;
  /**
   * The server's public base URL (no trailing slash). Mutable because with port 0 the
   * default (`http://{HOST}:{PORT}`) is known only once listening.
   */
  publicBaseUrl: string;
}
