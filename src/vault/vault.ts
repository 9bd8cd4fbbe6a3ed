import type { LinkEndCode } from '../credentials/key-vault.ts';
import { openDatabase, RECORDS, run } from './idb.ts';
import { vaultKeys, type VaultKeys } from './vault-keys.ts';

/*
 * Keys kept on this device (issue 14). A saved key is one IndexedDB record: the token and the
 * last credential response, sealed with AES-GCM under the vault's non-extractable key and
 * bound (as additional data) to its handle and to the credential endpoint it came from. In the
 * clear there is only the handle, the record's kind and when it may be swept. An ended key
 * (revoked, expired, invalid) leaves a marker without secrets, so reopening it, even offline,
 * says why it no longer opens doors.
 */

/** Why a key ended; what a marker remembers. */
export type EndCode = LinkEndCode;

/** What a reopened handle finds. */
export type VaultEntry =
  | { kind: 'key'; token: string; response?: unknown; savedAt?: number }
  | { kind: 'ended'; code: EndCode; endedAt: number };

/** A key not yet loaded once (a first open without signal) is kept this long. */
const PENDING_KEEP_MS = 7 * 86_400_000;
/** An end marker is kept this long, then swept. */
const MARKER_KEEP_MS = 30 * 86_400_000;
/** 128 bits of HMAC output: unguessable, and short enough for an address bar. */
const HANDLE_BYTES = 16;
export const HANDLE_RE = /^[A-Za-z0-9_-]{22}$/;
const END_CODES: readonly string[] = ['link_revoked', 'link_expired', 'link_invalid'];

interface SealedRecord {
  handle: string;
  kind: 'key';
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
  /** Epoch ms after which the key has expired: the sweep replaces it by a marker. */
  keep_until: number;
}

interface EndRecord {
  handle: string;
  kind: 'ended';
  code: EndCode;
  ended_at: number;
  keep_until: number;
}

type StoredRecord = SealedRecord | EndRecord;

interface Payload {
  v: 1;
  token: string;
  response?: unknown;
  saved_at?: number;
}

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The additional data of a sealed record: moving it to another handle or endpoint breaks it. */
function boundTo(handle: string, scope: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`instant-key/vault/v1\n${handle}\n${scope}`);
}

export class Vault {
  private constructor(
    private readonly db: IDBDatabase,
    private readonly keys: VaultKeys,
    private readonly subtle: SubtleCrypto,
  ) {}

  /** This origin's vault, or undefined where IndexedDB or WebCrypto is missing or refused. */
  static async open(factory?: IDBFactory, onClose?: () => void): Promise<Vault | undefined> {
    try {
      const subtle = globalThis.crypto?.subtle;
      const idb = factory ?? globalThis.indexedDB;
      if (!subtle || !idb) return undefined;
      const db = await openDatabase(idb, onClose);
      return new Vault(db, await vaultKeys(db, subtle), subtle);
    } catch {
      return undefined;
    }
  }

  /**
   * The local handle of `token` from `scope` (the credential endpoint): the same link gives the
   * same handle in this browser, and nothing about the token can be learnt from it without
   * the vault's key.
   */
  async handleFor(token: string, scope: string): Promise<string> {
    const mac = await this.subtle.sign('HMAC', this.keys.handle, encoder.encode(`instant-key/handle/v1\n${scope}\n${token}`));
    return base64url(new Uint8Array(mac, 0, HANDLE_BYTES));
  }

  /**
   * What `handle` holds for `scope`, or undefined: none, swept, sealed for another endpoint,
   * or damaged (an authentication failure is never taken as a key).
   */
  async get(handle: string, scope: string, now = Date.now()): Promise<VaultEntry | undefined> {
    if (!HANDLE_RE.test(handle)) return undefined;
    const record = await run(this.db, RECORDS, 'readonly', (s) => s.get(handle) as IDBRequest<StoredRecord | undefined>);
    if (!record) return undefined;
    if (record.kind === 'ended') {
      return END_CODES.includes(record.code) ? { kind: 'ended', code: record.code, endedAt: record.ended_at } : undefined;
    }
    if (record.keep_until <= now) {
      await this.markEnded(handle, 'link_expired', now);
      return { kind: 'ended', code: 'link_expired', endedAt: now };
    }
    let payload: Payload;
    try {
      const plain = await this.subtle.decrypt({ name: 'AES-GCM', iv: record.iv, additionalData: boundTo(handle, scope) }, this.keys.seal, record.data);
      payload = JSON.parse(new TextDecoder().decode(plain)) as Payload;
    } catch {
      return undefined;
    }
    if (payload?.v !== 1 || typeof payload.token !== 'string') return undefined;
    return {
      kind: 'key',
      token: payload.token,
      ...(payload.response === undefined ? {} : { response: payload.response }),
      ...(typeof payload.saved_at === 'number' ? { savedAt: payload.saved_at } : {}),
    };
  }

  /**
   * Seals `token` (and, once loaded, its last response) under `handle`. `expiresAt` is the
   * key's own end (epoch ms), after which the record turns into an `expired` marker.
   */
  async saveKey(handle: string, scope: string, key: { token: string; response?: unknown; savedAt?: number }, expiresAt?: number): Promise<void> {
    const payload: Payload = { v: 1, token: key.token, ...(key.response === undefined ? {} : { response: key.response, saved_at: key.savedAt ?? Date.now() }) };
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await this.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: boundTo(handle, scope) }, this.keys.seal, encoder.encode(JSON.stringify(payload)));
    const record: SealedRecord = { handle, kind: 'key', iv, data, keep_until: expiresAt ?? Date.now() + PENDING_KEEP_MS };
    await run(this.db, RECORDS, 'readwrite', (s) => s.put(record));
  }

  /** Replaces whatever `handle` holds by a marker that remembers only why the key ended. */
  async markEnded(handle: string, code: EndCode, now = Date.now()): Promise<void> {
    const record: EndRecord = { handle, kind: 'ended', code, ended_at: now, keep_until: now + MARKER_KEEP_MS };
    await run(this.db, RECORDS, 'readwrite', (s) => s.put(record));
  }

  /** Forgets `handle` entirely ("Remove this key from this phone"). */
  async remove(handle: string): Promise<void> {
    await run(this.db, RECORDS, 'readwrite', (s) => s.delete(handle));
  }

  /** Expired keys become markers; markers past their time go. Run once per page. */
  async sweep(now = Date.now()): Promise<void> {
    const all = await run(this.db, RECORDS, 'readonly', (s) => s.getAll() as IDBRequest<StoredRecord[]>);
    for (const record of all) {
      if (record.keep_until > now) continue;
      if (record.kind === 'key') await this.markEnded(record.handle, 'link_expired', now);
      else await this.remove(record.handle);
    }
  }
}

let opened: Promise<Vault | undefined> | undefined;

/** The page's one vault, opened and swept on first use. */
export function pageVault(): Promise<Vault | undefined> {
  // Closed for another tab's upgrade or delete: the next use opens it afresh.
  opened ??= Vault.open(undefined, () => (opened = undefined)).then(async (vault) => {
    await vault?.sweep().catch(() => undefined);
    return vault;
  });
  return opened;
}
