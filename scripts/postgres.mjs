// A throwaway PostgreSQL for the store tests and the benchmark, found or installed the way
// scripts/chromium.mjs gets Chromium: `PG_BIN`, then Debian's server binaries
// (/usr/lib/postgresql/<version>/bin, newest first), then `initdb` on the PATH; when none is
// there, Debian's `postgresql` package through apt-get (as root). The cluster lives in a fresh
// temporary directory, listens only on a unix socket there (no TCP port to collide with), and is
// removed on stop. initdb refuses to run as root, so as root the cluster belongs to `postgres`.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEBIAN_ROOT = '/usr/lib/postgresql';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasServer(dir) {
  return executable(join(dir, 'initdb')) && executable(join(dir, 'pg_ctl')) && executable(join(dir, 'postgres'));
}

function onPath(command) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The folder holding `initdb`, `pg_ctl` and `postgres`, or undefined. */
export function findPostgres() {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) {
    if (hasServer(fromEnv)) return fromEnv;
    throw new Error(`PG_BIN is set to ${fromEnv}, which does not hold initdb, pg_ctl and postgres.`);
  }
  let versions = [];
  try {
    versions = readdirSync(DEBIAN_ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    // No Debian cluster layout here.
  }
  for (const version of versions) {
    const dir = join(DEBIAN_ROOT, version, 'bin');
    if (hasServer(dir)) return dir;
  }
  const initdb = onPath('initdb');
  if (initdb) {
    const dir = initdb.replace(/\/initdb$/, '');
    if (hasServer(dir)) return dir;
  }
  return undefined;
}

function tryRun(command, args) {
  console.error(`[postgres] $ ${command} ${args.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env }).status === 0;
}

const isRoot = () => process.getuid?.() === 0;

/** Finds the server binaries, or installs Debian's `postgresql` package when root may. */
export function ensurePostgres() {
  const found = findPostgres();
  if (found) return found;
  console.error('[postgres] No PostgreSQL server found (PG_BIN, /usr/lib/postgresql/*/bin, PATH).');
  if (isRoot() && onPath('apt-get')) {
    console.error("[postgres] Installing Debian's postgresql package with apt-get...");
    if (tryRun('apt-get', ['update', '-qq']) && tryRun('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'])) {
      const installed = findPostgres();
      if (installed) return installed;
    }
  }
  throw new Error(
    'No PostgreSQL server could be found or installed. Install it (Debian: `sudo apt-get install -y postgresql`), ' +
      'point PG_BIN at the folder holding initdb and pg_ctl, or give TEST_DATABASE_URL.',
  );
}

/** Runs a server binary, as `postgres` when we are root (initdb and postgres refuse root). */
function runAsOwner(bin, args) {
  const [command, fullArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(command, fullArgs, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`[postgres] ${bin.split('/').pop()} failed (exit ${result.status}): ${(result.stderr || result.stdout || '').trim()}`);
  }
  return result.stdout;
}

/**
 * Starts a throwaway cluster and returns its connection URL (`postgres://postgres@/postgres?host=<socket dir>`)
 * and `stop()`, which shuts it down fast and deletes its folder. `fsync` is off: the cluster dies with
 * the test run, and a killed server-stub process (what the durability tests kill) loses nothing the
 * kernel already has.
 */
export function startPostgres() {
  const bin = ensurePostgres();
  // Short path: a unix socket path must stay under ~107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'ikpg-'));
  if (isRoot()) {
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  runAsOwner(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const options = [
    `-c listen_addresses=''`,
    `-c unix_socket_directories='${dir}'`,
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=64MB',
  ].join(' ');
  runAsOwner(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  let stopped = false;
  return {
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(dir)}`,
    socketDir: dir,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        runAsOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `node scripts/postgres.mjs`: prints where the server binaries are (installing them if needed).
  try {
    console.log(ensurePostgres());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
