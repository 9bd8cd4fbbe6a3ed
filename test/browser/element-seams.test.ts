/// <reference types="mocha" />
// The seams other parts plug into: a host's own way to the locks (`transport`) and a vault of
// saved answers behind the credentials controller.
import { expect } from '@esm-bundle/chai';
import { ReactiveElement } from 'lit';
import type { BluetoothTransport } from '../../src/ble/transport.ts';
import { CredentialsController, type KeyViewCode } from '../../src/controllers/credentials.ts';
import { validateCredentialsResponse } from '../../src/credentials/validate.ts';
import { CredentialsError } from '../../src/credentials/errors.ts';
import type { KeyVault } from '../../src/credentials/key-vault.ts';
import type { CredentialsResponse } from '../../src/credentials/types.ts';
import { lockFromSpec, type LockSpec } from '../../src/testing/lock-spec.ts';
import { createKeyStore, type KeyValue } from '../../src/state/index.ts';
import { button, recordEvents, settled, shadow, stateBecomes, tap, TEST_TOKEN, type InstantKeyElement } from './support/element.ts';
import { mintKey } from './support/key-fixture.ts';

/**
 * A host transport over virtual locks in memory: records what the element asks, and unlocks
 * through the real IK1 session (the element's engine) against the locks' own logic.
 */
function memoryTransport(specs: LockSpec[], available: boolean, overrides: Partial<BluetoothTransport> = {}) {
  const locks = specs.map(lockFromSpec);
  const calls = { watched: [] as string[][], chosen: [] as string[][] };
  const transport: BluetoothTransport = {
    availability: async () => available,
    watchNearby: (names) => (calls.watched.push([...names]), () => undefined),
    async chooseLock({ names }) {
      calls.chosen.push([...names]);
      const lock = locks.find((l) => names.includes(l.name));
      if (!lock) throw Object.assign(new Error('no such lock here'), { code: 'ble_cancelled' });
      return { name: lock.name };
    },
    async connect(chosen) {
      const lock = locks.find((l) => l.name === chosen.name)!;
      const connection = lock.connect();
      return {
        readInfo: async () => lock.info(),
        writeControl: async (value) => connection.writeFrame(value),
        readControl: async () => connection.readFrame(),
        onDisconnect: () => () => undefined,
        disconnect: () => connection.close(),
      };
    },
    ...overrides,
  };
  return { transport, calls, locks };
}

describe('<instant-key> with a host transport', () => {
  let el: InstantKeyElement | undefined;
  afterEach(() => {
    el?.remove();
    el = undefined;
  });

  it('reaches the locks only through it: watching the lock names, unlocking the tapped door', async () => {
    const key = mintKey([{ name: 'Room 412' }, { name: 'Gym', kind: 'amenity' }]);
    const { transport, calls, locks } = memoryTransport(key.locks, true);
    el = document.createElement('instant-key') as InstantKeyElement;
    el.transport = transport;
    el.resolver = async () => key.response;
    el.token = TEST_TOKEN;
    const events = recordEvents(el);
    document.body.append(el);
    await stateBecomes(el, 'ready');

    // The way to the locks is its own chunk: it starts watching once that has arrived.
    await until(() => calls.watched.length > 0);
    expect(calls.watched).to.deep.equal([key.response.credentials.map((c) => c.lock.ble_name)]);
    await tap(button(el, /Unlock Gym/));
    await stateBecomes(el, 'unlocked');
    expect(calls.chosen).to.deep.equal([[key.response.credentials[1]!.lock.ble_name]]);
    expect(locks.map((l) => l.unlockCount)).to.deep.equal([0, 1]);
    expect(events.at(-1)!.detail.entrance.display_name).to.equal('Gym');
  });

  it('asks it whether Bluetooth is on', async () => {
    const key = mintKey();
    const { transport } = memoryTransport(key.locks, false);
    el = document.createElement('instant-key') as InstantKeyElement;
    el.transport = transport;
    el.resolver = async () => key.response;
    el.token = TEST_TOKEN;
    document.body.append(el);
    await stateBecomes(el, 'ready');
    await until(() => shadow(el!).querySelector('[part~="notice"]')?.getAttribute('data-code') === 'ble_unavailable');
  });

  it('a transport that throws or rejects without a code ends in an error, never stuck in unlocking', async () => {
    const key = mintKey();
    const throwing = memoryTransport(key.locks, true, {
      chooseLock: () => {
        throw new TypeError('host bug');
      },
    });
    el = document.createElement('instant-key') as InstantKeyElement;
    el.transport = throwing.transport;
    el.resolver = async () => key.response;
    el.token = TEST_TOKEN;
    const events = recordEvents(el);
    document.body.append(el);
    await stateBecomes(el, 'ready');
    await tap(button(el, /Unlock Room 412/));
    await stateBecomes(el, 'error');
    expect(events.at(-1)!.detail.code).to.equal('ble_connect_failed');

    el.transport = memoryTransport(key.locks, true, { connect: () => Promise.reject('not even an Error') }).transport;
    await tap(button(el, /Back/));
    await tap(button(el, /Unlock Room 412/));
    await stateBecomes(el, 'error');
    expect(events.at(-1)!.detail.code).to.equal('ble_connect_failed');
  });
});

/** A minimal host for the credentials controller alone, with a vault. */
class VaultHost extends ReactiveElement {
  readonly $key = createKeyStore();
  resolve: () => Promise<CredentialsResponse> = () => new Promise(() => {});
  viewReady: () => Promise<KeyViewCode> = async () => ({ validateCredentialsResponse });
  readonly controller = new CredentialsController(this, {
    $key: this.$key,
    inputs: () => [],
    request: () => ({ token: TEST_TOKEN, resolver: () => this.resolve() }),
    enabled: () => true,
    onReset: () => {},
    onCredentials: () => {},
    viewReady: () => this.viewReady(),
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

  it('shows the saved answer (marked saved) when the request is still out after a few seconds, then the fresh one, which it keeps', async () => {
    const saved = mintKey().response;
    const fresh = mintKey().response;
    let answer!: (value: CredentialsResponse) => void;
    const { vault, log } = fakeVault(saved);
    host = mountHost(vault, () => new Promise((resolve) => (answer = resolve)));
    await until(() => host!.$key.get().status === 'loaded');
    expect(status(host.$key.get())).to.equal(`loaded ${saved.instant_key.instant_key_id} saved`);

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

describe('the credentials controller when the key view cannot be loaded', () => {
  it('fails the load as load_failed, not as offline, and names the chunk in the console', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    const el = document.createElement('vault-host') as VaultHost;
    try {
      el.viewReady = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
      el.resolve = async () => mintKey().response;
      document.body.append(el);
      await until(() => el.$key.get().status === 'failed');
      expect(el.$key.get()).to.deep.include({ status: 'failed', code: 'load_failed' });
      expect(warnings.some((w) => w.startsWith('[instant-key] The key view (instant-key-key-*.js) could not be loaded'))).to.equal(true, warnings.join('\n'));
    } finally {
      console.warn = warn;
      el.remove();
    }
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

describe('every answer is validated before it shows', () => {
  it('refuses a resolver answer that breaks the contract: nothing of it reaches the key', async () => {
    const host = document.createElement('vault-host') as VaultHost;
    const good = mintKey().response;
    host.resolve = async () => ({ ...good, refresh_after_s: 'soon' }) as unknown as CredentialsResponse;
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args);
    try {
      document.body.append(host);
      await until(() => host.$key.get().status === 'failed');
      expect(host.$key.get()).to.include({ status: 'failed', code: 'network_error' });
      expect(warnings.flat().join(' ')).to.match(/refresh_after_s/);
    } finally {
      console.warn = warn;
      host.remove();
    }
  });
});
