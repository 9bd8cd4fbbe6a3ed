/*
 * The few IndexedDB calls the vault needs, as promises. Each function is one transaction, so
 * nothing is left half-written when the page goes away in the middle.
 */

export const VAULT_DB = 'instant-key-vault';
const VERSION = 1;
/** The non-extractable CryptoKeys, by name. */
export const KEYS = 'keys';
/** Saved keys and end markers, by `handle`. */
export const RECORDS = 'records';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Opens (and on first use creates) the vault's database; `onClose` hears it closed for another tab's upgrade or delete. */
export function openDatabase(factory: IDBFactory = indexedDB, onClose?: () => void): Promise<IDBDatabase> {
  const request = factory.open(VAULT_DB, VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS);
    if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS, { keyPath: 'handle' });
  };
  return done(request).then((db) => {
    // Another tab upgrading later must not be blocked by this one.
    db.onversionchange = () => {
      db.close();
      onClose?.();
    };
    return db;
  });
}

/** Runs `body` in one transaction and resolves with its request's result once committed. */
export function run<T>(db: IDBDatabase, store: string, mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = body(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? request.error);
  });
}
