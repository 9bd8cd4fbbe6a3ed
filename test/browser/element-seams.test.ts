/// <reference types="mocha" />
// The seams other parts plug into: a host's own way to the locks (`transport`) and a vault of
// saved answers behind the credentials controller.
import { expect } from '@esm-bundle/chai';
import { ReactiveElement } from 'lit';
import type { LockTransport } from '../../src/ble/lock-transport.ts';
import { CredentialsController } from '../../src/controllers/credentials.ts';
import { CredentialsError } from '../../src/credentials/errors.ts';
import type { KeyVault } from '../../src/credentials/key-vault.ts';
import type { Credential, CredentialsResponse } from '../../src/credentials/types.ts';
import { createKeyStore, type KeyValue } from '../../src/state/index.ts';
import { button, recordEvents, settled, shadow, stateBecomes, tap, TEST_TOKEN, type InstantKeyElement } from './support/element.ts';
import { mintKey } from './support/key-fixture.ts';

/** A transport that records what the element asks and unlocks whatever it is given. */
function fakeTransport(available: boolean) {
  const calls = { prepared: [] as string[][], unlocked: [] as string[][] };
  const transport: LockTransport = {
    availability: async () => available,
    watchAvailability() {},
    prepare: (names) => void calls.prepared.push([...names]),
    inRange: () => false,
    async unlock(credentials: readonly Credential[]) {
      calls.unlocked.push(credentials.map((c) => c.credential_id));
      return { ok: true, credentialId: credentials[0]!.credential_id, lockId: credentials[0]!.lock.lock_id };
    },
    stop() {},
  };
  return { transport, calls };
}

describe('<instant-key> with a host transport', () => {
  let el: InstantKeyElement | undefined;
  afterEach(() => {
    el?.remove();
    el = undefined;
  });

  it('reaches the locks only through it: prepared with the lock names, unlocking the tapped door', async () => {
    const key = mintKey([{ name: 'Room 412' }, { name: 'Gym', kind: 'amenity' }]);
    const { transport, calls } = fakeTransport(true);
    el = document.createElement('instant-key') as InstantKeyElement;
    el.transport = transport;
    el.resolver = async () => key.response;
    el.token = TEST_TOKEN;
    const events = recordEvents(el);
    document.body.append(el);
    await stateBecomes(el, 'ready');

    expect(calls.prepared).to.deep.equal([key.response.credentials.map((c) => c.lock.ble_name)]);
    await tap(button(el, /Unlock Gym/));
    await stateBecomes(el, 'unlocked');
    expect(calls.unlocked).to.deep.equal([[key.response.credentials[1]!.credential_id]]);
    expect(events.at(-1)!.detail.entrance.display_name).to.equal('Gym');
  });

  it('asks it whether Bluetooth is on', async () => {
    const key = mintKey();
    const { transport } = fakeTransport(false);
    el = document.createElement('instant-key') as InstantKeyElement;
    el.transport = transport;
    el.resolver = async () => key.response;
    el.token = TEST_TOKEN;
    document.body.append(el);
    await stateBecomes(el, 'ready');
    await until(() => shadow(el!).querySelector('[part~="notice"]')?.getAttribute('data-code') === 'ble_unavailable');
  });
});

/** A minimal host for the credentials controller alone, with a vault. */
class VaultHost extends ReactiveElement {
  readonly $key = createKeyStore();
  resolve: () => Promise<CredentialsResponse> = () => new Promise(() => {});
  readonly controller = new CredentialsController(this, {
    $key: this.$key,
    inputs: () => [],
    request: () => ({ token: TEST_TOKEN, resolver: () => this.resolve() }),
    enabled: () => true,
    onReset: () => {},
    onCredentials: () => {},
    viewReady: async () => undefined,
  });
}
customElements.define('vault-host', VaultHost);

function fakeVault(saved: CredentialsResponse | undefined) {
  const log: string[] = [];
  const vault: KeyVault = {
    saved: async (token) => (log.push(`saved ${token === TEST_TOKEN}`), saved && { body: saved, receivedAt: Date.now() }),
    keep: (_token, data) => void log.push(`keep ${data.instant_key.instant_key_id}`),
    forget: () => void log.push('forget'),
  };
  return { vault, log };
}

function status(value: KeyValue): string {
  return value.status === 'loaded' ? `loaded ${value.data.instant_key.instant_key_id}${value.stale ? ` ${value.stale}` : ''}` : value.status;
}

describe('the credentials controller with a key vault', () => {
  let host: VaultHost | undefined;
  afterEach(() => {
    host?.remove();
    host = undefined;
  });

  function mountHost(vault: KeyVault, resolve: () => Promise<CredentialsResponse>): VaultHost {
    const el = document.createElement('vault-host') as VaultHost;
    el.controller.vault = vault;
    el.resolve = resolve;
    document.body.append(el);
    return el;
  }

  it('shows the saved answer while the request is out, then the fresh one, which it keeps', async () => {
    const saved = mintKey().response;
    const fresh = mintKey().response;
    let answer!: (value: CredentialsResponse) => void;
    const { vault, log } = fakeVault(saved);
    host = mountHost(vault, () => new Promise((resolve) => (answer = resolve)));
    await until(() => host!.$key.get().status === 'loaded');
    expect(status(host.$key.get())).to.equal(`loaded ${saved.instant_key.instant_key_id}`);

    answer(fresh);
    await until(() => status(host!.$key.get()) === `loaded ${fresh.instant_key.instant_key_id}`);
    expect(log).to.deep.equal(['saved true', `keep ${fresh.instant_key.instant_key_id}`]);
  });

  it('keeps the saved answer usable, marked stale, when the network is not there', async () => {
    const saved = mintKey().response;
    let fail!: () => void;
    const { vault } = fakeVault(saved);
    host = mountHost(vault, () => new Promise((_, reject) => (fail = () => reject(new CredentialsError('network_offline', 'offline')))));
    await until(() => host!.$key.get().status === 'loaded');
    fail();
    await until(() => status(host!.$key.get()) === `loaded ${saved.instant_key.instant_key_id} network_offline`);
  });

  it('ignores a saved answer that breaks the contract, and forgets a revoked link', async () => {
    const { vault, log } = fakeVault({ ok: true } as unknown as CredentialsResponse);
    let fail!: () => void;
    host = mountHost(vault, () => new Promise((_, reject) => (fail = () => reject(new CredentialsError('link_revoked', 'revoked')))));
    await until(() => log.length === 1);
    await settled(host as unknown as InstantKeyElement);
    expect(host.$key.get().status).to.equal('loading');
    fail();
    await until(() => host!.$key.get().status === 'failed');
    expect(log).to.deep.equal(['saved true', 'forget']);
  });
});

/** Resolves once `check` holds, polling each animation frame (for changes with no event). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise(requestAnimationFrame);
  }
}
