import type { ServerConfig } from '../config.ts';
import { SqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/**
 * The store the config names: PostgreSQL when `databaseUrl` is set (migrated before this
 * resolves), else SQLite in `dataDir`.
 */
export async function openStore(config: ServerConfig, options: { onSyncError?: (error: unknown) => void } = {}): Promise<Store> {
  if (config.databaseUrl === null) return new SqliteStore(config, options);
  const { PostgresStore } = await import('./postgres/store.ts');
  return PostgresStore.open(config);
}
