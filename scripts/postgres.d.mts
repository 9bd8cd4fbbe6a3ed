/** The folder holding `initdb`, `pg_ctl` and `postgres`, or undefined. */
export function findPostgres(): string | undefined;
/** Finds the server binaries, or installs Debian's `postgresql` package when root may. */
export function ensurePostgres(): string;
/** A throwaway cluster on a unix socket in a temp dir; `stop()` shuts it down and deletes it. */
export function startPostgres(): { url: string; socketDir: string; stop(): void };
