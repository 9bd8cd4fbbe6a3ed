// The server as an operator runs it: a child process configured by the environment.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { dpopProof } from '../../src/credentials/dpop.ts';

/** A DPoP proof for a credential request from a device never seen before (a fresh key pair), and that device's id. */
async function newDevice(url: string, token: string): Promise<{ dpop: string; id: string }> {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const id = await calculateJwkThumbprint((await crypto.subtle.exportKey('jwk', keys.publicKey)) as JWK);
  return { dpop: await dpopProof(keys, { htm: 'GET', htu: `${url}/instant_keys/credentials`, token }), id };
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const API_KEY = 'seam_process_test_key_0123456789';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Child {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `server-stub/main.ts` on a free port and waits for it to print its URL. */
async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server-stub/main.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /Instant Key server at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', onData);
    exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return { proc, url, output: () => out, exited };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'ik-process-'));
  dirs.push(d);
  return d;
}

const admin = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('prints a generated dev key once, and stops cleanly on SIGTERM', async () => {
  const child = await startChild({ DATA_DIR: tempDir() });
  const key = /Development API key[^:]*: (seam_[A-Za-z0-9_-]+)/.exec(child.output())?.[1];
  assert.ok(key, child.output());
  const res = await fetch(`${child.url}/user_identities/list`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200);
  child.proc.kill('SIGTERM');
  assert.deepEqual(await child.exited, { code: 0, signal: null });
  assert.equal(child.output().split(key).length - 1, 1, 'the key appears exactly once');
});

test('never logs the API key or instant key tokens', async () => {
  const child = await startChild({ DATA_DIR: tempDir(), API_KEY });
  const identity = (await (await admin(child.url, '/user_identities/create', { full_name: 'Ada' })).json()).user_identity;
  const key = (await (await admin(child.url, '/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id })).json()).instant_key;
  const token = key.instant_key_url.split('#')[1];
  for (const dpop of [(await newDevice(child.url, token)).dpop, 'not a proof']) {
    await fetch(`${child.url}/instant_keys/credentials?token=${token}`, { headers: { authorization: `Bearer ${token}`, dpop } });
  }
  await fetch(`${child.url}/user_identities/list`, { headers: { authorization: `Bearer ${token}` } });
  child.proc.kill('SIGTERM');
  await child.exited;
  const out = child.output();
  assert.match(out, /incoming request/, 'requests are logged');
  assert.equal(out.includes(API_KEY), false, 'API key in the logs');
  assert.equal(out.includes(token.slice(3)), false, 'token in the logs');
});

test('keeps every acknowledged write across SIGKILL', async () => {
  const dataDir = tempDir();
  const child = await startChild({ DATA_DIR: dataDir, API_KEY, LOG_LEVEL: 'fatal' });
  const acknowledged: string[] = [];
  let killed = false;
  const writer = async () => {
    while (!killed) {
      try {
        const res = await admin(child.url, '/user_identities/create', { full_name: 'Crash Test' });
        if (res.status === 200) acknowledged.push((await res.json()).user_identity.user_identity_id);
      } catch {
        return; // the connection died with the server
      }
    }
  };
  const writers = Array.from({ length: 8 }, writer);
  while (acknowledged.length < 200) await new Promise((r) => setImmediate(r));
  child.proc.kill('SIGKILL');
  killed = true;
  assert.equal((await child.exited).signal, 'SIGKILL');
  await Promise.all(writers);

  const again = await startChild({ DATA_DIR: dataDir, API_KEY, LOG_LEVEL: 'fatal' });
  try {
    const res = await fetch(`${again.url}/user_identities/list`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const stored = new Set((await res.json()).user_identities.map((u: { user_identity_id: string }) => u.user_identity_id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes lost`);
  } finally {
    again.proc.kill('SIGTERM');
    await again.exited;
  }
});

test('keeps every answered credential use on record across SIGKILL', async () => {
  const dataDir = tempDir();
  const child = await startChild({ DATA_DIR: dataDir, API_KEY, LOG_LEVEL: 'fatal' });
  const json = async (path: string, body: unknown) => (await (await admin(child.url, path, body)).json()) as Record<string, any>;
  const identity = (await json('/user_identities/create', { full_name: 'Crash Guest' })).user_identity;
  // One key per writer: each stays under the per-token rate limit (60 a minute).
  const tokens: string[] = [];
  for (let i = 0; i < 6; i++) {
    tokens.push((await json('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id })).instant_key.instant_key_url.split('#')[1]);
  }
  const answered: string[] = [];
  let killed = false;
  const writer = async (token: string) => {
    for (let i = 0; !killed && i < 60; i++) {
      try {
        const { dpop, id: device } = await newDevice(child.url, token);
        const res = await fetch(`${child.url}/instant_keys/credentials`, { headers: { authorization: `Bearer ${token}`, dpop } });
        if (res.status === 200) answered.push(device);
      } catch {
        return; // the connection died with the server
      }
    }
  };
  const writers = tokens.map(writer);
  while (answered.length < 120) await new Promise((r) => setImmediate(r));
  child.proc.kill('SIGKILL');
  killed = true;
  assert.equal((await child.exited).signal, 'SIGKILL');
  await Promise.all(writers);

  const again = await startChild({ DATA_DIR: dataDir, API_KEY, LOG_LEVEL: 'fatal' });
  try {
    const res = await fetch(`${again.url}/events/list?user_identity_id=${identity.user_identity_id}&limit=10000`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const used = new Set((await res.json()).events.filter((e: any) => e.event_type === 'instant_key.used').map((e: any) => e.device_id));
    const lost = answered.filter((device) => !used.has(device));
    assert.deepEqual(lost, [], `${lost.length} of ${answered.length} answered uses missing from the store`);
  } finally {
    again.proc.kill('SIGTERM');
    await again.exited;
  }
});

test('refuses an unusable configuration with a clear message', async () => {
  await assert.rejects(startChild({ DATA_DIR: tempDir(), TICKET_TTL_S: 'soon' }), /Configuration error: TICKET_TTL_S/);
  await assert.rejects(startChild({ DATA_DIR: tempDir(), ALLOWED_ORIGINS: 'https://ok.example, *' }), /Configuration error: ALLOWED_ORIGINS/);
});
