/** What a storage dump of this origin shows: every IndexedDB record and localStorage entry, as text. */

function asText(value: unknown, out: string[]): void {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    // Raw bytes as Latin-1 (a plaintext string shows up as itself), and as base64.
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    out.push(binary, btoa(binary));
  } else if (value instanceof CryptoKey) {
    out.push(`[CryptoKey ${value.algorithm.name} extractable=${value.extractable}]`);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      asText(v, out);
    }
  } else {
    out.push(String(value));
  }
}

function all(store: IDBObjectStore): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const request = store.getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Every database of the origin, every store, every record, flattened to text. */
export async function dumpStorage(): Promise<string> {
  const out: string[] = [];
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    for (const storeName of db.objectStoreNames) {
      out.push(`${name}/${storeName}`);
      asText(await all(db.transaction(storeName).objectStore(storeName)), out);
    }
    db.close();
  }
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i)!;
    out.push(key, localStorage.getItem(key) ?? '');
  }
  return out.join('\n');
}

/** The secrets of a credential response that must never be readable at rest. */
export function secretsOf(token: string, response: { instant_key: { user_identity: { display_name?: string } }; credentials: { ticket: string; credential_key: string }[] }): string[] {
  const name = response.instant_key.user_identity.display_name;
  return [token, ...(name ? [name] : []), ...response.credentials.flatMap((c) => [c.ticket, c.credential_key])];
}
