import { KEYS, run } from './idb.ts';

/*
 * The vault's two device keys, made once per browser profile and origin and kept in
 * IndexedDB as CryptoKey objects created non-extractable: the browser can use them, but no
 * script (the page's, an extension's content script, a storage dump) can read their bytes.
 */

export interface VaultKeys {
  /** AES-GCM 256: seals each saved record. */
  seal: CryptoKey;
  /** HMAC-SHA-256: derives a record's handle from its token, so reopening the link finds it. */
  handle: CryptoKey;
}

const SEAL = 'seal-v1';
const HANDLE = 'handle-v1';

async function generate(subtle: SubtleCrypto): Promise<VaultKeys> {
  const [seal, handle] = await Promise.all([
    subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
  ]);
  return { seal, handle };
}

async function read(db: IDBDatabase): Promise<VaultKeys | undefined> {
  const [seal, handle] = await Promise.all([SEAL, HANDLE].map((name) => run(db, KEYS, 'readonly', (s) => s.get(name) as IDBRequest<CryptoKey | undefined>)));
  return seal instanceof CryptoKey && handle instanceof CryptoKey ? { seal, handle } : undefined;
}

/**
 * This origin's vault keys, created on first use. Two tabs creating them at once both try
 * `add`; the loser's transaction fails and it reads the winner's, so every record in the
 * database is sealed under one key.
 */
export async function vaultKeys(db: IDBDatabase, subtle: SubtleCrypto = crypto.subtle): Promise<VaultKeys> {
  const found = await read(db);
  if (found) return found;
  const made = await generate(subtle);
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(KEYS, 'readwrite');
      const store = tx.objectStore(KEYS);
      store.add(made.seal, SEAL);
      store.add(made.handle, HANDLE);
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
    return made;
  } catch (error) {
    const theirs = await read(db);
    if (theirs) return theirs;
    throw error;
  }
}
