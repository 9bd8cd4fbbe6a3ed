/*
 * The `Instant-Key-Device` id (api.md, section 2): a UUID v4 kept per browser so that the
 * server's device limit (`max_use_count`) counts browsers, not page loads. Storage may be
 * blocked (private mode, sandboxed iframes, cookie settings): then one id per page lifetime
 * is the best we can do, and the server may count this browser again later.
 */

export const DEVICE_ID_STORAGE_KEY = 'instant-key:device-id';
/** What the server accepts (api.md): 1-128 of `A-Za-z0-9._:~-`. */
const DEVICE_ID_RE = /^[A-Za-z0-9._:~-]{1,128}$/;

let memoryId: string | undefined;

/** Minimal Storage surface, so tests can pass a fake and a throwing one. */
export interface DeviceIdStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Returns this browser's device id, creating and persisting it on first use. */
export function getDeviceId(storage: DeviceIdStorage | null | undefined = defaultStorage()): string {
  try {
    if (storage) {
      const stored = storage.getItem(DEVICE_ID_STORAGE_KEY);
      if (stored !== null && DEVICE_ID_RE.test(stored)) return stored;
      const fresh = memoryId ?? uuidV4();
      storage.setItem(DEVICE_ID_STORAGE_KEY, fresh);
      memoryId = fresh;
      return fresh;
    }
  } catch {
    // Storage blocked or full: fall through to the in-memory id.
  }
  memoryId ??= uuidV4();
  return memoryId;
}

/** Forgets the in-memory id; for tests. */
export function resetDeviceIdForTests(): void {
  memoryId = undefined;
}

function defaultStorage(): DeviceIdStorage | null {
  try {
    // Reading `localStorage` itself throws when storage is blocked.
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function uuidV4(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
