import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerOptions } from '../../server-stub/config.ts';
import { startServer, type RunningServer } from '../../server-stub/server.ts';
import { calculateJwkThumbprint } from 'jose';
import { dpopProof, type ProofRequest } from '../../src/credentials/dpop.ts';

/** The device id the server gives `device` of `t`: its public key's RFC 7638 thumbprint. */
export async function thumbprintOf(t: TestServer, device: string): Promise<string> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', (await t.deviceKey(device)).publicKey);
  return calculateJwkThumbprint({ kty: kty!, crv: crv!, x: x!, y: y! });
}

export const API_KEY = 'seam_test_0123456789abcdef';

/** A settable clock: tests move time instead of sleeping. */
export class TestClock {
  constructor(public ms = Date.parse('2026-03-01T12:00:00.000Z')) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A real server on an ephemeral port over a fresh SQLite store, plus small HTTP helpers. */
export class TestServer {
  private constructor(
    readonly server: RunningServer,
    readonly clock: TestClock,
    readonly dataDir: string,
  ) {}

  static async start(options: ServerOptions = {}): Promise<TestServer> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ik-server-test-'));
    const clock = new TestClock();
    const server = await startServer({ port: 0, dataDir, apiKey: API_KEY, logLevel: false, clock: clock.now, ...options });
    return new TestServer(server, clock, dataDir);
  }

  /** The public base URL (what key URLs and CORS use). */
  get url(): string {
    return this.server.url;
  }

  /** Where requests go. */
  get localUrl(): string {
    return this.server.localUrl;
  }

  private readonly deviceKeys = new Map<string, Promise<CryptoKeyPair>>();

  /** The simulated device named `device`: one ECDSA P-256 key pair per name, made on first use. */
  deviceKey(device: string): Promise<CryptoKeyPair> {
    let keys = this.deviceKeys.get(device);
    if (!keys) this.deviceKeys.set(device, (keys = crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])));
    return keys;
  }

  /** The credential endpoint's public URL: what a proof's `htu` names. */
  get credentialsUrl(): string {
    return `${this.url}/instant_keys/credentials`;
  }

  /** A DPoP proof by `device` for a credential request with `token`, at the server's time unless told. */
  async proof(token: string, device = 'device-1', claims: Partial<ProofRequest> = {}): Promise<string> {
    return dpopProof(await this.deviceKey(device), { htm: 'GET', htu: this.credentialsUrl, token, now: this.clock.ms, ...claims });
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Any request; `body` is sent as JSON. */
  async request(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    let body: string | undefined;
    if (init.raw !== undefined || init.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = init.raw ?? JSON.stringify(init.body);
    }
    const res = await fetch(`${this.localUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** An admin POST with the API key. */
  post(path: string, body: unknown = {}): Promise<Answer> {
    return this.request('POST', path, { body, headers: { authorization: `Bearer ${API_KEY}` } });
  }

  /** An admin GET/DELETE with query parameters, the way the Seam SDK sends them. */
  query(method: 'GET' | 'DELETE', path: string, params: Record<string, string> = {}): Promise<Answer> {
    const qs = new URLSearchParams({ ...params, _strict: 'true' });
    return this.request(method, `${path}?${qs}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  }

  /** An admin POST that must succeed; returns the body's `key`. */
  async ok(path: string, body: unknown, key: string): Promise<any> {
    const res = await this.post(path, body);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body[key];
  }

  /**
   * The credential endpoint as the element calls it: with a fresh DPoP proof signed by the
   * simulated `device` (none when `device` is null); `headers` may replace it.
   */
  async credentials(token: string | null, headers: Record<string, string> = {}, device: string | null = 'device-1'): Promise<Answer> {
    const h: Record<string, string> = {};
    if (token !== null) h['authorization'] = `Bearer ${token}`;
    if (device !== null) h['dpop'] = await this.proof(token ?? '', device);
    return this.request('GET', '/instant_keys/credentials', { headers: { ...h, ...headers } });
  }

  /** A guest with one grant on the given entrances (created when absent) and a key. */
  async guest(
    opts: { entrances?: number; startsIn?: number; lasts?: number; key?: Record<string, unknown> } = {},
  ): Promise<{ identity: any; entrances: any[]; grant: any; key: any; token: string }> {
    const identity = await this.ok('/user_identities/create', { full_name: 'Ada Lovelace' }, 'user_identity');
    const entrances = [];
    for (let i = 0; i < (opts.entrances ?? 1); i++) {
      entrances.push(await this.ok('/acs/entrances/create', { display_name: `Door ${i}`, kind: 'guest_room' }, 'acs_entrance'));
    }
    const start = this.clock.ms + (opts.startsIn ?? -3_600_000);
    const grant = await this.ok(
      '/access_grants/create',
      {
        user_identity_id: identity.user_identity_id,
        acs_entrance_ids: entrances.map((e) => e.acs_entrance_id),
        starts_at: new Date(start).toISOString(),
        ends_at: new Date(start + (opts.lasts ?? 3 * 86_400_000)).toISOString(),
        requested_access_methods: [{ mode: 'mobile_key' }],
      },
      'access_grant',
    );
    const key = await this.ok('/user_identities/generate_instant_key', { user_identity_id: identity.user_identity_id, ...opts.key }, 'instant_key');
    return { identity, entrances, grant, key, token: key.instant_key_url.split('#')[1] };
  }
}
