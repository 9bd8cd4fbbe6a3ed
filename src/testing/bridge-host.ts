/**
 * A native bridge host for tests (docs/native-bridge.md): the Node side of
 * `window.instantKeyBridge`, answering the page's messages with virtual locks, attached to a
 * Playwright page in one call. Web Bluetooth is removed from the page, as in a `WKWebView`, so
 * the element can only reach the locks through the bridge: QA and native teams test the web
 * side of their wrapper without a phone.
 *
 * ```ts
 * const host = await attachBridgeHost(page); // before page.goto: the bridge exists before any script
 * const door = host.addLock({ lockId, lockKey, name: 'IK-3FA2C1' });
 * await page.goto(keyUrl);
 * await page.getByRole('button', { name: /Unlock Room 412/ }).click();
 * expect(door.lock.unlockCount).toBe(1);
 * console.log(host.transcript); // every message, both ways
 * ```
 */
import type { Page } from 'playwright-core';
import { IK1_CONTROL_UUID, IK1_INFO_UUID, IK1_SERVICE_UUID } from '../protocol/constants.ts';
import { LockDisconnectedError, VirtualLock, type LockConnection, type VirtualLockOptions } from './virtual-lock.ts';

/** How `choose` is answered. */
export type BridgeChooser =
  /** The first lock in range whose name was asked for (default). */
  | { action: 'select' }
  /** The guest closes the picker. */
  | { action: 'cancel' }
  /** Never answered (until the page sends `cancel`). */
  | { action: 'ignore' }
  /** Answers with this lock whatever was asked: a misbehaving host, which the page must refuse. */
  | { action: 'force'; device: string };

/** Faults of the native side for one lock; every field may change at any time. */
export interface BridgeLockFaults {
  /** `connect` answers `connect_failed`. */
  failConnect: boolean;
  /** `connect` is never answered. */
  hangConnect: boolean;
  /** Reads and writes of `control` answer `gatt_failed`. */
  failControl: boolean;
  /** Reads and writes of `control` answer `timeout`, as a native side's own timer would. */
  timeoutControl: boolean;
}

/** One direction and the message, in order: the page's requests and the host's answers. */
export interface TranscriptEntry {
  from: 'page' | 'native';
  message: Record<string, unknown>;
}

export interface BridgeLockCounts {
  connections: number;
  infoReads: number;
  controlWrites: number;
  controlReads: number;
  disconnects: number;
}

export interface BridgeLock {
  readonly lock: VirtualLock;
  /** The opaque handle the host gives the page for this lock. */
  readonly device: string;
  readonly faults: BridgeLockFaults;
  counts(): BridgeLockCounts;
  /** Drops the link as a lock walking out of range would: the page gets `disconnected`. */
  disconnect(): Promise<void>;
}

export interface BridgeHostOptions {
  /** Bluetooth on (default) or off: off answers `choose` and `connect` with `unavailable`. */
  available?: boolean;
  chooser?: BridgeChooser;
  /** Keep the page's Web Bluetooth (default false: removed, as in a WKWebView or WebView). */
  keepWebBluetooth?: boolean;
}

export interface BridgeHost {
  /** Puts a virtual lock in range of the bridge. */
  addLock(lock: VirtualLock | VirtualLockOptions): BridgeLock;
  chooser: BridgeChooser;
  /** Turns Bluetooth on or off; the page gets an `availability` event. */
  setAvailable(available: boolean): Promise<void>;
  /** Every message so far, both ways. */
  readonly transcript: readonly TranscriptEntry[];
  /** Resolves once the page has sent a request with this `op` (counting earlier ones). */
  request(op: string): Promise<Record<string, unknown>>;
}

interface HostedLock extends BridgeLock {
  connection: LockConnection | null;
  readonly tally: BridgeLockCounts;
}

/**
 * The page half: the bridge object, and a queue for messages that arrive before `receive`
 * (the contract leaves holding them to the host). Plain JavaScript in a string: a serialized
 * function would carry the test's transpiler helpers into the page.
 */
function pageScript(keepWebBluetooth: boolean): string {
  return `(() => {
  if (!${keepWebBluetooth}) delete Navigator.prototype.bluetooth;
  const held = [];
  let receive;
  const bridge = {
    send: (message) => void window.__instantKeyBridgeSend(message),
    get receive() { return receive; },
    set receive(listener) {
      receive = listener;
      while (receive && held.length) receive(held.shift());
    },
  };
  Object.defineProperty(window, 'instantKeyBridge', { value: bridge, configurable: true });
  window.__instantKeyBridgeDeliver = (message) => (receive ? receive(message) : void held.push(message));
})();`;
}

const NO_FAULTS: BridgeLockFaults = { failConnect: false, hangConnect: false, failControl: false, timeoutControl: false };

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

let lastDevice = 0;

/**
 * Injects `window.instantKeyBridge` into every document `page` loads from now on (call before
 * `page.goto`) and answers its messages with the locks added to the returned host.
 */
export async function attachBridgeHost(page: Page, options: BridgeHostOptions = {}): Promise<BridgeHost> {
  const locks = new Map<string, HostedLock>();
  const transcript: TranscriptEntry[] = [];
  const waiters: Array<{ op: string; resolve: (m: Record<string, unknown>) => void }> = [];
  let available = options.available ?? true;

  const deliver = async (message: Record<string, unknown>): Promise<void> => {
    transcript.push({ from: 'native', message });
    const text = JSON.stringify(message);
    await page.evaluate((m) => (window as unknown as Record<string, (m: string) => void>).__instantKeyBridgeDeliver!(m), text).catch(() => undefined);
  };
  const answer = (id: unknown, fields: Record<string, unknown>) => deliver({ id, ok: true, ...fields });
  const refuse = (id: unknown, error: string) => deliver({ id, ok: false, error });

  const dropLink = async (hosted: HostedLock): Promise<void> => {
    if (!hosted.connection) return;
    hosted.connection.close();
    hosted.connection = null;
    await deliver({ event: 'disconnected', device: hosted.device });
  };

  const handle = async (text: string): Promise<void> => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    transcript.push({ from: 'page', message });
    for (const waiter of waiters.filter((w) => w.op === message.op)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
    const { id, op } = message;
    const hosted = typeof message.device === 'string' ? locks.get(message.device) : undefined;
    switch (op) {
      case 'availability':
        return answer(id, { available });
      case 'choose': {
        const policy = host.chooser;
        if (policy.action === 'ignore') return;
        if (!available) return refuse(id, 'unavailable');
        if (policy.action === 'cancel') return refuse(id, 'cancelled');
        if (policy.action === 'force') return answer(id, { device: policy.device, name: locks.get(policy.device)?.lock.name ?? 'IK-UNKNOWN' });
        const names = Array.isArray(message.names) ? message.names : [];
        const found = [...locks.values()].find((l) => names.includes(l.lock.name) && message.service === IK1_SERVICE_UUID);
        return found ? answer(id, { device: found.device, name: found.lock.name }) : refuse(id, 'not_found');
      }
      case 'cancel': {
        // Ends an ignored `choose`, as closing the native picker would.
        const target = message.target;
        if (transcript.some((e) => e.from === 'page' && e.message.id === target && e.message.op === 'choose')) await refuse(target, 'cancelled');
        return answer(id, {});
      }
      case 'connect':
        if (!hosted) return refuse(id, 'connect_failed');
        if (!available) return refuse(id, 'unavailable');
        if (hosted.faults.hangConnect) return;
        hosted.tally.connections++;
        if (hosted.faults.failConnect) return refuse(id, 'connect_failed');
        hosted.connection?.close();
        hosted.connection = hosted.lock.connect();
        return answer(id, {});
      case 'disconnect':
        if (hosted) {
          hosted.tally.disconnects++;
          hosted.connection?.close();
          hosted.connection = null;
        }
        return answer(id, {});
      case 'read':
      case 'write':
        return gatt(id, op, hosted, message);
      default:
        return refuse(id, 'unsupported');
    }
  };

  const gatt = async (id: unknown, op: 'read' | 'write', hosted: HostedLock | undefined, message: Record<string, unknown>): Promise<void> => {
    const connection = hosted?.connection;
    if (!hosted || !connection || connection.closed) return refuse(id, 'disconnected');
    if (message.service !== IK1_SERVICE_UUID) return refuse(id, 'gatt_failed');
    if (message.characteristic === IK1_INFO_UUID && op === 'read') {
      hosted.tally.infoReads++;
      return answer(id, { value: toBase64(hosted.lock.info()) });
    }
    if (message.characteristic !== IK1_CONTROL_UUID) return refuse(id, 'gatt_failed');
    if (op === 'write') hosted.tally.controlWrites++;
    else hosted.tally.controlReads++;
    if (hosted.faults.timeoutControl) return refuse(id, 'timeout');
    if (hosted.faults.failControl) return refuse(id, 'gatt_failed');
    try {
      if (op === 'write') {
        connection.writeFrame(new Uint8Array(Buffer.from(String(message.value ?? ''), 'base64')));
        await answer(id, {});
      } else {
        await answer(id, { value: toBase64(connection.readFrame()) });
      }
      // A lock that drops after this frame (a disconnect fault): the page hears it now.
      if (connection.closed) await dropLink(hosted);
    } catch (error) {
      if (!(error instanceof LockDisconnectedError)) throw error;
      await refuse(id, 'disconnected');
      await dropLink(hosted);
    }
  };

  const host: BridgeHost = {
    chooser: options.chooser ?? { action: 'select' },
    addLock(lock) {
      const virtualLock = lock instanceof VirtualLock ? lock : new VirtualLock(lock);
      const hosted: HostedLock = {
        lock: virtualLock,
        device: `lock-${++lastDevice}`,
        faults: { ...NO_FAULTS },
        connection: null,
        tally: { connections: 0, infoReads: 0, controlWrites: 0, controlReads: 0, disconnects: 0 },
        counts: () => ({ ...hosted.tally }),
        disconnect: () => dropLink(hosted),
      };
      locks.set(hosted.device, hosted);
      return hosted;
    },
    async setAvailable(value) {
      available = value;
      await deliver({ event: 'availability', available: value });
    },
    get transcript() {
      return transcript;
    },
    request(op) {
      const seen = transcript.find((e) => e.from === 'page' && e.message.op === op);
      if (seen) return Promise.resolve(seen.message);
      return new Promise((resolve) => waiters.push({ op, resolve }));
    },
  };

  // Answered in order, one message at a time, as a native message handler does.
  let queue: Promise<void> = Promise.resolve();
  await page.exposeFunction('__instantKeyBridgeSend', (text: string) => {
    queue = queue.then(() => handle(text)).catch(() => undefined);
  });
  await page.addInitScript(pageScript(options.keepWebBluetooth ?? false));
  return host;
}
