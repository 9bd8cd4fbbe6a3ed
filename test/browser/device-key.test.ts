// The device key in real Chromium: made with WebCrypto on first use, its private half
// non-extractable, kept in IndexedDB across page loads; in memory only where storage is blocked.
/// <reference types="mocha" />
import { expect } from '@esm-bundle/chai';
import { DEVICE_KEY_DB, deviceKey, resetDeviceKeyForTests } from '../../src/credentials/device-key.ts';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The pair IndexedDB holds, read the way another page would. */
async function storedPair(): Promise<CryptoKeyPair | undefined> {
  const db = await request(indexedDB.open(DEVICE_KEY_DB));
  try {
    if (!db.objectStoreNames.contains('keys')) return undefined;
    return await request<CryptoKeyPair | undefined>(db.transaction('keys').objectStore('keys').get('device'));
  } finally {
    db.close();
  }
}

async function publicJwk(pair: CryptoKeyPair): Promise<string> {
  const { x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return `${x}.${y}`;
}

async function forgetEverything(): Promise<void> {
  resetDeviceKeyForTests();
  await new Promise((resolve) => {
    const del = indexedDB.deleteDatabase(DEVICE_KEY_DB);
    del.onsuccess = del.onerror = del.onblocked = resolve;
  });
}

describe('device key', () => {
  beforeEach(forgetEverything);
  afterEach(forgetEverything);

  it('is a P-256 signing key whose private half cannot be exported, made once per page', async () => {
    const [a, b] = await Promise.all([deviceKey(), deviceKey()]);
    expect(a).to.equal(b);
    expect(a.privateKey.extractable).to.equal(false);
    expect(a.privateKey.usages).to.deep.equal(['sign']);
    expect((a.privateKey.algorithm as EcKeyAlgorithm).namedCurve).to.equal('P-256');
    let refused = false;
    await crypto.subtle.exportKey('jwk', a.privateKey).catch(() => (refused = true));
    expect(refused, 'exporting the private key is refused').to.equal(true);
  });

  it('is kept in IndexedDB, so the next page load signs with the same key', async () => {
    const first = await deviceKey();
    const stored = await storedPair();
    expect(stored, 'stored in IndexedDB').to.not.equal(undefined);
    expect(await publicJwk(stored!)).to.equal(await publicJwk(first));
    expect(stored!.privateKey.extractable).to.equal(false);
    resetDeviceKeyForTests(); // as a new page load
    const next = await deviceKey();
    expect(await publicJwk(next)).to.equal(await publicJwk(first));
    // And the stored private key signs what the public key verifies.
    const data = new TextEncoder().encode('proof');
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, next.privateKey, data);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', first.publicKey);
    const verifier = await crypto.subtle.importKey('jwk', { kty, crv, x, y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, verifier, signature, data)).to.equal(true);
  });

  describe('where storage is blocked', () => {
    const open = IDBFactory.prototype.open;
    beforeEach(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The user denied permission to access the database.', 'SecurityError');
      };
    });
    afterEach(() => {
      IDBFactory.prototype.open = open;
    });

    it('keeps one key in memory for the page, and a new page load gets a new one', async () => {
      const first = await deviceKey();
      expect(first.privateKey.extractable).to.equal(false);
      expect(await deviceKey()).to.equal(first);
      resetDeviceKeyForTests();
      const next = await deviceKey();
      expect(await publicJwk(next)).to.not.equal(await publicJwk(first));
      IDBFactory.prototype.open = open;
      expect(await storedPair(), 'nothing was stored').to.equal(undefined);
    });
  });
});
