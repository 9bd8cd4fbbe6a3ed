import { IK1_CONTROL_UUID, IK1_INFO_UUID, IK1_SERVICE_UUID } from '../../protocol/constants.ts';
import { transportError, type BluetoothTransport, type ChosenLock, type LockLink, type TransportErrorCode } from '../transport.ts';
import { fromBase64, isShortString, parseMessage, toBase64, type InstantKeyBridge } from './messages.ts';

/*
 * The `BluetoothTransport` over a native host's `window.instantKeyBridge`
 * (docs/native-bridge.md): requests out as JSON through `send`, replies and events in through
 * the `receive` this module installs. Loaded only on pages that have a bridge.
 */

/** The page's own bound on a request the native side leaves unanswered (GATT steps have the session's). */
const AVAILABILITY_TIMEOUT_MS = 5_000;
const CHOOSE_TIMEOUT_MS = 60_000;

/** A `choose` answer: the native side's opaque device handle and the lock's name. */
interface BridgeLock extends ChosenLock {
  readonly device: string;
  readonly name: string;
}

type Fields = Record<string, unknown>;

interface Pending {
  resolve(fields: Fields): void;
  reject(code: string): void;
}

/** Requests and events over one bridge; one per bridge object, whatever the number of elements. */
class BridgeClient {
  readonly #bridge: InstantKeyBridge;
  readonly #pending = new Map<number, Pending>();
  readonly #drops = new Map<string, Set<() => void>>();
  readonly availability = new Set<(available: boolean) => void>();
  #nextId = 1;

  constructor(bridge: InstantKeyBridge) {
    this.#bridge = bridge;
    bridge.receive = (message) => this.#receive(message);
  }

  /**
   * Sends `op` and resolves with the success fields, or rejects with the native side's error
   * code; `'aborted'` when `signal` aborts first, `'timeout'` after `timeoutMs`.
   */
  request(op: string, fields: Fields, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Fields> {
    const id = this.#nextId++;
    const { signal, timeoutMs } = options;
    return new Promise<Fields>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (): void => {
        this.#pending.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        settle();
        reject('aborted');
      };
      this.#pending.set(id, {
        resolve: (value) => (settle(), resolve(value)),
        reject: (code) => (settle(), reject(code)),
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(() => this.#pending.get(id)?.reject('timeout'), timeoutMs);
      this.send({ id, op, ...fields });
    });
  }

  /** Sends without waiting for the answer (`disconnect`, `cancel`). */
  notify(op: string, fields: Fields): void {
    this.send({ id: this.#nextId++, op, ...fields });
  }

  /** Ids used so far: a `cancel` names the `choose` it ends. */
  get lastId(): number {
    return this.#nextId - 1;
  }

  send(message: Fields): void {
    try {
      this.#bridge.send(JSON.stringify(message));
    } catch {
      // A host whose send throws answers nothing: the request's own bound ends it.
    }
  }

  onDrop(device: string, listener: () => void): () => void {
    let listeners = this.#drops.get(device);
    if (!listeners) this.#drops.set(device, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  #receive(raw: string): void {
    const message = parseMessage(raw);
    if (!message) return;
    if (message.kind === 'reply') {
      // A late answer to a request the page gave up on, or one never sent: ignored.
      const pending = this.#pending.get(message.id);
      if (message.ok) pending?.resolve(message.fields);
      else pending?.reject(message.error);
    } else if (message.kind === 'disconnected') {
      for (const listener of [...(this.#drops.get(message.device) ?? [])]) listener();
    } else {
      for (const listener of [...this.availability]) listener(message.available);
    }
  }
}

const ELEMENT_CODES: Record<string, TransportErrorCode> = {
  cancelled: 'ble_cancelled',
  unavailable: 'ble_unavailable',
  connect_failed: 'ble_connect_failed',
  disconnected: 'ble_disconnected',
  timeout: 'ble_timeout',
  gatt_failed: 'ble_gatt_failed',
};

const clients = new WeakMap<InstantKeyBridge, BluetoothTransport>();

/** The transport over `bridge` (default: `window.instantKeyBridge`); one per bridge. */
export function bridgeTransport(bridge = (globalThis as { instantKeyBridge?: InstantKeyBridge }).instantKeyBridge!): BluetoothTransport {
  let transport = clients.get(bridge);
  if (!transport) clients.set(bridge, (transport = overClient(new BridgeClient(bridge))));
  return transport;
}

function overClient(client: BridgeClient): BluetoothTransport {
  const availability = (): Promise<boolean | undefined> =>
    client.request('availability', {}, { timeoutMs: AVAILABILITY_TIMEOUT_MS }).then(
      (fields) => (typeof fields.available === 'boolean' ? fields.available : undefined),
      () => undefined,
    );

  /** A failed request as the element's code: `fallback` for codes off the contract. */
  const fail = (fallback: TransportErrorCode, what: string) => (code: unknown) => {
    throw transportError(ELEMENT_CODES[String(code)] ?? fallback, `The native host could not ${what} (${String(code)})`);
  };

  return {
    availability,
    onAvailabilityChange(listener) {
      client.availability.add(listener);
      return () => client.availability.delete(listener);
    },

    async chooseLock({ names, service, signal }) {
      const request = client.request('choose', { names: [...names], service }, { timeoutMs: CHOOSE_TIMEOUT_MS, ...(signal ? { signal } : {}) });
      const id = client.lastId;
      let fields: Fields;
      try {
        fields = await request;
      } catch (code) {
        if (code === 'aborted' || code === 'timeout') client.notify('cancel', { target: id });
        // As Web Bluetooth's NotFoundError: nothing chosen, or no Bluetooth at all.
        if (code === 'not_found' || code === 'timeout') {
          throw transportError((await availability()) === false ? 'ble_unavailable' : 'ble_cancelled', `No lock was chosen (${String(code)})`);
        }
        return fail('ble_connect_failed', 'choose a lock')(code);
      }
      // The native side must return only a lock this key may open (docs/native-bridge.md).
      if (!isShortString(fields.device) || typeof fields.name !== 'string' || !names.includes(fields.name)) {
        throw transportError('ble_connect_failed', 'The native host chose a lock that was not asked for');
      }
      const lock: BridgeLock = { device: fields.device, name: fields.name };
      return lock;
    },

    async connect(chosen, { signal, timeoutMs }) {
      const { device } = chosen as BridgeLock;
      if (!isShortString(device)) throw transportError('ble_connect_failed', 'Not a lock chosen through the native host');
      await client.request('connect', { device }, { signal, timeoutMs: 2 * timeoutMs }).catch((code: unknown) => {
        // Whatever the native side got to, the page no longer wants the link.
        client.notify('disconnect', { device });
        if (code === 'aborted') throw signal.reason;
        return fail('ble_connect_failed', 'connect to the lock')(code);
      });
      return linkTo(client, device);
    },
  };
}

function linkTo(client: BridgeClient, device: string): LockLink {
  let dropped = false;
  const stopWatching = client.onDrop(device, () => (dropped = true));
  const op = async (name: 'read' | 'write', fields: Fields, signal: AbortSignal): Promise<Fields> => {
    if (dropped) throw transportError('ble_disconnected', 'The lock disconnected');
    return client.request(name, { device, service: IK1_SERVICE_UUID, ...fields }, { signal }).catch((code: unknown) => {
      if (code === 'aborted') throw signal.reason;
      return fail(code);
    });
  };
  const fail = (code: unknown): never => {
    throw transportError(ELEMENT_CODES[String(code)] ?? 'ble_gatt_failed', `The native host's GATT operation failed (${String(code)})`);
  };
  const read = async (characteristic: string, signal: AbortSignal): Promise<Uint8Array> => {
    const fields = await op('read', { characteristic }, signal);
    const value = fromBase64(fields.value);
    if (!value) throw transportError('ble_gatt_failed', 'The native host sent a value that is not base64');
    return value;
  };
  return {
    readInfo: (signal) => read(IK1_INFO_UUID, signal),
    readControl: (signal) => read(IK1_CONTROL_UUID, signal),
    async writeControl(value, signal) {
      await op('write', { characteristic: IK1_CONTROL_UUID, value: toBase64(value) }, signal);
    },
    onDisconnect: (listener) => client.onDrop(device, listener),
    disconnect() {
      stopWatching();
      client.notify('disconnect', { device });
    },
  };
}
