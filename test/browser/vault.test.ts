/// <reference types="mocha" />
// The key vault in real Chromium: IndexedDB and WebCrypto as a phone has them. A saved key
// comes back by its handle; nothing secret is readable at rest; the sealing key cannot be
// exported; a record moved, altered or sealed for another endpoint is not taken as a key.
import { expect } from '@esm-bundle/chai';
import { VAULT_DB } from '../../src/vault/idb.ts';
import { Vault } from '../../src/vault/vault.ts';
import { dumpStorage, secretsOf } from './support/storage-dump.ts';
import { mintKey } from './support/key-fixture.ts';

const TOKEN = 'ik_vaultTestToken000000000000000000000000';
const SCOPE = 'http://127.0.0.1:8787/';

/** Edits a stored record in place, as someone with access to the profile could. */
async function rewrite(handle: string, change: (record: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(VAULT_DB);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const record = await new Promise<Record<string, unknown>>((resolve) => {
    const request = db.transaction('records').objectStore('records').get(handle);
    request.onsuccess = () => resolve(request.result);
  });
  await new Promise((resolve) => {
    const tx = db.transaction('records', 'readwrite');
    tx.objectStore('records').put(change(record));
    tx.oncomplete = resolve;
  });
  db.close();
}

async function fresh(): Promise<Vault> {
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(VAULT_DB);
    request.onsuccess = request.onerror = request.onblocked = resolve;
  });
  const vault = await Vault.open();
  if (!vault) throw new Error('the vault did not open');
  return vault;
}

describe('the vault', () => {
  let vault: Vault;
  beforeEach(async () => {
    vault = await fresh();
  });

  it('gives a saved key back by its handle, token and last response', async () => {
    const { response } = mintKey();
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN, response, savedAt: 1234 });
    expect(await vault.get(handle, SCOPE)).to.deep.equal({ kind: 'key', token: TOKEN, response, savedAt: 1234 });
  });

  it('derives the same handle for the same link, another for another link or endpoint', async () => {
    const handle = await vault.handleFor(TOKEN, SCOPE);
    expect(handle).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(await vault.handleFor(TOKEN, SCOPE)).to.equal(handle);
    expect(await vault.handleFor(TOKEN + 'x', SCOPE)).to.not.equal(handle);
    expect(await vault.handleFor(TOKEN, 'https://other.example/')).to.not.equal(handle);
    expect(handle).to.not.include(TOKEN.slice(3, 10));
  });

  it('keeps the same keys across page loads (a second open finds the first one\'s records)', async () => {
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN });
    const again = (await Vault.open())!;
    expect(await again.handleFor(TOKEN, SCOPE)).to.equal(handle);
    expect((await again.get(handle, SCOPE))?.kind).to.equal('key');
  });

  it('shows a storage dump no token, ticket, credential key or guest name', async () => {
    const { response } = mintKey([{ name: 'Room 412' }, { name: 'Pool' }]);
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN, response });
    const dump = await dumpStorage();
    expect(dump).to.include(handle, 'the handle is the one thing in the clear');
    for (const secret of [...secretsOf(TOKEN, response as never), 'Lovelace', 'Room 412']) expect(dump).to.not.include(secret);
  });

  it('holds keys no script can export', async () => {
    const dump = await dumpStorage();
    expect(dump).to.include('[CryptoKey AES-GCM extractable=false]');
    expect(dump).to.include('[CryptoKey HMAC extractable=false]');
    expect(dump).to.not.include('extractable=true');
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open(VAULT_DB);
      request.onsuccess = () => resolve(request.result);
    });
    const keys = await new Promise<CryptoKey[]>((resolve) => {
      const request = db.transaction('keys').objectStore('keys').getAll();
      request.onsuccess = () => resolve(request.result);
    });
    db.close();
    expect(keys).to.have.length(2);
    for (const key of keys) {
      const refused = await crypto.subtle.exportKey('raw', key).then(() => 'exported', (e: DOMException) => e.name);
      expect(refused).to.equal('InvalidAccessError');
    }
  });

  it('does not take a record sealed for another endpoint, or moved to another handle, as a key', async () => {
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN });
    expect(await vault.get(handle, 'https://evil.example/')).to.equal(undefined);
    const other = await vault.handleFor('ik_anotherTokenAnotherTokenAnother', SCOPE);
    await rewrite(handle, (record) => ({ ...record, handle: other }));
    expect(await vault.get(other, SCOPE)).to.equal(undefined);
  });

  it('does not take an altered record as a key', async () => {
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN });
    await rewrite(handle, (record) => {
      const data = new Uint8Array((record.data as ArrayBuffer).slice(0));
      data[5]! ^= 1;
      return { ...record, data: data.buffer };
    });
    expect(await vault.get(handle, SCOPE)).to.equal(undefined);
  });

  it('replaces an ended key by a marker that says why, and nothing else', async () => {
    const { response } = mintKey();
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN, response });
    await vault.markEnded(handle, 'link_revoked', 5000);
    expect(await vault.get(handle, SCOPE)).to.deep.equal({ kind: 'ended', code: 'link_revoked', endedAt: 5000 });
    const dump = await dumpStorage();
    for (const secret of secretsOf(TOKEN, response as never)) expect(dump).to.not.include(secret);
  });

  it('turns a key past its end into an expired marker', async () => {
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN }, Date.now() - 1);
    expect((await vault.get(handle, SCOPE))?.kind).to.equal('ended');
    expect(await vault.get(handle, SCOPE)).to.include({ code: 'link_expired' });
  });

  it('forgets a removed key entirely', async () => {
    const handle = await vault.handleFor(TOKEN, SCOPE);
    await vault.saveKey(handle, SCOPE, { token: TOKEN });
    await vault.remove(handle);
    expect(await vault.get(handle, SCOPE)).to.equal(undefined);
    expect(await dumpStorage()).to.not.include(handle);
  });

  it('refuses a handle that is not one', async () => {
    expect(await vault.get('../../etc', SCOPE)).to.equal(undefined);
  });
});
