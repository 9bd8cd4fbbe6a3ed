/*
 * This browser's device key: an ECDSA P-256 key pair made with WebCrypto on first use, its
 * private half non-extractable (page scripts can sign with it, nobody can copy it out), kept
 * in IndexedDB so that the server's device limit (`max_use_count`) counts browsers, not page
 * loads. Where storage is blocked (some private modes, sandboxed frames, storage settings) the
 * pair lives in memory for the page's lifetime only, and each page load is a new device.
 * Its own database, apart from any other the element keeps.
 */

export const DEVICE_KEY_DB = 'instant-key-device';
const STORE = 'keys';
const ID = 'device';

let pending: Promise<CryptoKeyPair> | undefined;

/** This browser's device key pair, created and stored on first use. */
export function deviceKey(): Promise<CryptoKeyPair> {
  return (pending ??= stored().catch(generate));
}

/** Forgets the page's key (the stored one stays); for tests. */
export function resetDeviceKeyForTests(): void {
  pending = undefined;
}

function generate(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}

async function stored(): Promise<CryptoKeyPair> {
  const open = indexedDB.open(DEVICE_KEY_DB, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await done(open);
  const store = (mode?: IDBTransactionMode) => db.transaction(STORE, mode).objectStore(STORE);
  try {
    const found = await done<CryptoKeyPair | undefined>(store().get(ID));
    if (found?.privateKey) return found;
    const pair = await generate();
    try {
      // `add`, not `put`: another tab may have stored its key first, and then that one is ours.
      await done(store('readwrite').add(pair, ID));
      return pair;
    } catch {
      const winner = await done<CryptoKeyPair | undefined>(store().get(ID));
      if (winner?.privateKey) return winner;
      throw new Error('device key not stored');
    }
  } finally {
    db.close();
  }
}

/** A request's result as a promise. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
