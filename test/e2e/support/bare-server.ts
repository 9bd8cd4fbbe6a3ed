import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';

/** `npm run server` as a hotel would start it: a child process on a random port over a fresh store. */
export interface BareServer {
  url: string;
  apiKey: string;
  /** Admin API call; throws with the server's error on anything but 200. */
  admin<T = Record<string, any>>(path: string, body: unknown): Promise<T>;
  stop(): Promise<void>;
}

const root = new URL('../../..', import.meta.url).pathname;

export async function startBareServer(env: Record<string, string> = {}): Promise<BareServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ik-bare-'));
  const apiKey = 'seam_bare_server_e2e_key';
  // Its own process group, so that stopping reaches npm's child (tsx, node) too.
  const child: ChildProcess = spawn('npm', ['run', '--silent', 'server'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEY: apiKey, LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /Instant Key server at (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`npm run server exited (${code}) before listening:\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode === null) {
      process.kill(-child.pid!, 'SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const admin = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as T & { error?: unknown };
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json.error)}`);
    return json;
  };
  return { url, apiKey, admin, stop };
}

/** A guest with a room key, issued through the admin API: what the front desk's system does. */
export async function issueRoomKey(server: BareServer): Promise<{ url: string; token: string; lock: { lock_id: string; ble_name: string; lock_key: string } }> {
  const now = Date.now();
  const { user_identity } = await server.admin('/user_identities/create', { full_name: 'Grace Hopper', email_address: `grace+${now}@example.com` });
  const { acs_entrance } = await server.admin('/acs/entrances/create', { display_name: 'Room 101', kind: 'guest_room', lock: {} });
  await server.admin('/access_grants/create', {
    user_identity_id: user_identity.user_identity_id,
    acs_entrance_ids: [acs_entrance.acs_entrance_id],
    starts_at: new Date(now - 3_600_000).toISOString(),
    ends_at: new Date(now + 86_400_000).toISOString(),
    requested_access_methods: [{ mode: 'mobile_key' }],
  });
  const { instant_key } = await server.admin('/user_identities/generate_instant_key', {
    user_identity_id: user_identity.user_identity_id,
    expires_at: new Date(now + 86_400_000).toISOString(),
  });
  const url = instant_key.instant_key_url as string;
  return { url, token: url.slice(url.indexOf('#') + 1), lock: acs_entrance.lock };
}
