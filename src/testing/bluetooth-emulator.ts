import type { Browser, CDPSession, Page } from 'playwright-core';
import { IK1_CONTROL_UUID, IK1_INFO_UUID, IK1_SERVICE_UUID } from '../protocol/constants.ts';

/** The lock side the emulator needs: `VirtualLock` is one; anything with these members works. */
export interface EmulatedLock {
  readonly name: string;
  info(): Uint8Array;
  connect(): EmulatedConnection;
}

/** One BLE connection to a lock: frames in, frames out (empty while the reply is not ready). */
export interface EmulatedConnection {
  writeFrame(frame: Uint8Array): void;
  readFrame(): Uint8Array;
  close(): void;
  readonly closed: boolean;
}

/** GATT-level failures to inject, per lock; each makes the page's promise reject. */
export interface GattFaults {
  /** `gatt.connect()` rejects (NetworkError): out of range, lock asleep. */
  failConnect: boolean;
  /**
   * Service discovery fails. Chromium's emulation (156) then never settles the page's
   * `getPrimaryService`: the page's own discovery timeout ends the attempt.
   */
  failDiscovery: boolean;
  /** Reads and writes on `control` fail (NotSupportedError): a flaky link. */
  failControl: boolean;
  /** Never answer `gatt.connect()`: the page's own timeout must end the attempt. */
  hangConnect: boolean;
}

/** Counts of what the page asked the lock for, to check the protocol's GATT budget. */
export interface GattCounts {
  connections: number;
  infoReads: number;
  controlWrites: number;
  controlReads: number;
}

/** What the chooser does when the page calls `requestDevice`. */
export type ChooserPolicy =
  | { action: 'select'; address?: string }
  | { action: 'cancel' }
  /** Leaves the prompt open, as a guest who walks away would. */
  | { action: 'ignore' };

export type AdapterState = 'powered-on' | 'powered-off' | 'absent';

interface Peripheral {
  address: string;
  lock: EmulatedLock;
  infoId: string;
  controlId: string;
  connection: EmulatedConnection | null;
  faults: GattFaults;
  counts: GattCounts;
  /** A `gatt.connect()` left unanswered by `hangConnect`. */
  connectHeld: boolean;
  /** Whether `control` was used since the last `info` read (see `onCharacteristicOperation`). */
  controlSinceInfo: boolean;
  /** `disconnect()` calls waiting for the link to go down, and the timer that forces it. */
  drop: { waiters: (() => void)[]; timer: ReturnType<typeof setTimeout> | undefined };
}

const NO_FAULTS: GattFaults = { failConnect: false, failDiscovery: false, failControl: false, hangConnect: false };
const FAILURE_CODE = 1;
/** How long a chooser waits for the wanted lock to show up before it is cancelled. */
const CHOOSER_SCAN_MS = 3000;
/** A lock an arm's length away (dBm), and the transmit power a coin-cell lock uses. */
const ADVERTISED_RSSI = -60;
const ADVERTISED_TX_POWER = 0;
/** How long `disconnect()` waits for a page operation to carry the drop before dropping anyway. */
const IDLE_DROP_MS = 100;
/** The longest a restore after a navigation may take before later operations go ahead anyway. */
const RESTORE_MS = 2500;

/** `promise`, or a rejection after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Addresses are never reused, even across emulators of one browser: Chromium keeps the devices
 * a page was granted (`getDevices()`) by address, with the name first seen there, so a new lock
 * at an old address would show up under the old lock's name.
 */
let lastAddress = 0;

function allocateAddress(): string {
  const n = ++lastAddress;
  return ['0A', '1E', '00', ...[16, 8, 0].map((shift) => ((n >> shift) & 0xff).toString(16).padStart(2, '0'))].join(':').toUpperCase();
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(text ?? '', 'base64'));
}

/**
 * Emulates IK1 locks in a real Chromium through the DevTools Protocol, so that the page's
 * `navigator.bluetooth` talks to them as to hardware. Bluetooth emulation is browser-wide:
 * one emulator per browser, and pages that use it must not run in parallel in that browser.
 *
 * It works around what Chromium's emulation (156) does not do by itself: a disconnection
 * that meets a pending GATT operation wedges it (see `disconnect`), a pending connection
 * attempt outlives `disable` (see `stop`), and a page's reconnect raises no `connection`
 * operation (see the `info` read in `onCharacteristicOperation`).
 */
export class BluetoothEmulator {
  private readonly peripherals = new Map<string, Peripheral>();
  private readonly byCharacteristic = new Map<string, Peripheral>();
  private readonly pageSessions: CDPSession[] = [];
  /** Prompts still waiting for their lock to show up: cancelled at the latest on `stop()`. */
  private readonly waitingPrompts = new Map<string, { timer: ReturnType<typeof setTimeout>; cancel(): void }>();
  /** Pages whose chooser this emulator answers, with their navigation listeners (see `restore`). */
  private readonly watched = new Map<Page, (frame: unknown) => void>();
  /** The emulation being put back after a navigation; every operation waits for it. */
  private restoring: Promise<void> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly session: CDPSession,
    private adapter: AdapterState,
  ) {
    session.on('BluetoothEmulation.gattOperationReceived', (event) => {
      void this.onGattOperation(event.address, event.type);
    });
    session.on('BluetoothEmulation.characteristicOperationReceived', (event) => {
      void this.onCharacteristicOperation(event.characteristicId, event.type, event.data);
    });
  }

  /** Turns emulation on for `browser` with a powered adapter (or the given state). */
  static async start(browser: Browser, adapter: AdapterState = 'powered-on'): Promise<BluetoothEmulator> {
    const session = await browser.newBrowserCDPSession();
    // A previous emulator of this browser may have left it enabled: start from a clean slate.
    await session.send('BluetoothEmulation.disable').catch(() => undefined);
    await session.send('BluetoothEmulation.enable', { state: adapter, leSupported: true });
    return new BluetoothEmulator(session, adapter);
  }

  /** Makes `lock` reachable: it shows in choosers whose filters match its name and service. */
  async addLock(lock: EmulatedLock, options: { address?: string } = {}): Promise<string> {
    await this.settled();
    const address = options.address ?? allocateAddress();
    await this.simulate(lock, address);
    return address;
  }

  /**
   * Resolves once the emulation is up: after a watched page navigates or reloads, Chromium
   * drops the emulated adapter (when no other page holds Bluetooth), and the emulator enables
   * it again with every lock at its old address, faults and counts kept.
   */
  settled(): Promise<void> {
    return this.restoring;
  }

  /** Checks the emulation is still enabled (a page that used it may have gone) and restores it if not. */
  ensureEnabled(): Promise<void> {
    const step = this.restoring.then(async () => {
      if (this.stopped) return;
      try {
        await this.session.send('BluetoothEmulation.setSimulatedCentralState', { state: this.adapter });
      } catch {
        await this.restore();
      }
    });
    // Bounded: a CDP answer that never comes (Chromium sometimes leaves one pending while the
    // old document goes) must not wedge every later operation, and stop: restore once more.
    this.restoring = within(step, RESTORE_MS)
      .catch(() => (this.stopped ? undefined : within(this.restore(), RESTORE_MS)))
      .catch(() => undefined);
    return this.restoring;
  }

  private async restore(): Promise<void> {
    await this.session.send('BluetoothEmulation.disable').catch(() => undefined);
    await this.session.send('BluetoothEmulation.enable', { state: this.adapter, leSupported: true });
    const peripherals = [...this.peripherals.values()];
    this.peripherals.clear();
    this.byCharacteristic.clear();
    for (const old of peripherals) {
      clearTimeout(old.drop.timer);
      old.connection?.close();
      for (const resolve of old.drop.waiters.splice(0)) resolve();
      await this.simulate(old.lock, old.address, old);
    }
  }

  /** Declares the peripheral to Chromium; `previous` carries a restored lock's faults and counts. */
  private async simulate(lock: EmulatedLock, address: string, previous?: Peripheral): Promise<void> {
    await this.session.send('BluetoothEmulation.simulatePreconnectedPeripheral', {
      address,
      name: lock.name,
      manufacturerData: [],
      knownServiceUuids: [IK1_SERVICE_UUID],
    });
    const { serviceId } = await this.session.send('BluetoothEmulation.addService', {
      address,
      serviceUuid: IK1_SERVICE_UUID,
    });
    const { characteristicId: infoId } = await this.session.send('BluetoothEmulation.addCharacteristic', {
      serviceId,
      characteristicUuid: IK1_INFO_UUID,
      properties: { read: true },
    });
    const { characteristicId: controlId } = await this.session.send('BluetoothEmulation.addCharacteristic', {
      serviceId,
      characteristicUuid: IK1_CONTROL_UUID,
      properties: { read: true, write: true },
    });
    const peripheral: Peripheral = {
      address,
      lock,
      infoId,
      controlId,
      connection: null,
      faults: previous?.faults ?? { ...NO_FAULTS },
      counts: previous?.counts ?? { connections: 0, infoReads: 0, controlWrites: 0, controlReads: 0 },
      connectHeld: false,
      controlSinceInfo: false,
      drop: { waiters: [], timer: undefined },
    };
    this.peripherals.set(address, peripheral);
    this.byCharacteristic.set(infoId, peripheral);
    this.byCharacteristic.set(controlId, peripheral);
  }

  /** How the device chooser is answered from now on (default: select the first matching lock). */
  chooser: ChooserPolicy = { action: 'select' };

  /**
   * Answers `page`'s device chooser prompts by the current `chooser` policy, and keeps the
   * emulation up across its navigations and reloads. Once per page; a second call does nothing.
   */
  async watchChooser(page: Page): Promise<void> {
    if (this.watched.has(page)) return;
    const onNavigated = (frame: unknown): void => {
      if (frame !== page.mainFrame()) return;
      void this.ensureEnabled().catch(() => undefined);
      // Chromium may drop the adapter only once the old document is gone, after that check
      // found it up: look again when the new document has loaded (before a reload resolves).
      page.once('load', () => void this.ensureEnabled().catch(() => undefined));
    };
    this.watched.set(page, onNavigated);
    page.on('framenavigated', onNavigated);
    const session = await page.context().newCDPSession(page);
    this.pageSessions.push(session);
    // Chromium prompts again with the same id as its scan finds devices, so a prompt may first
    // come with no device yet: a select waits for the wanted lock to appear (up to
    // CHOOSER_SCAN_MS, then cancels). Answering one id twice crashes the browser: once only.
    const answered = new Set<string>();
    const answer = (id: string, deviceId?: string) => {
      if (answered.has(id)) return;
      answered.add(id);
      const reply = deviceId
        ? session.send('DeviceAccess.selectPrompt', { id, deviceId })
        : session.send('DeviceAccess.cancelPrompt', { id });
      reply.catch(() => undefined);
    };
    session.on('DeviceAccess.deviceRequestPrompted', ({ id, devices }) => {
      const policy = this.chooser;
      if (answered.has(id) || policy.action === 'ignore') return;
      if (policy.action === 'cancel') return answer(id);
      const wanted = devices.find((d) => !policy.address || d.id === policy.address);
      const waiting = this.waitingPrompts.get(id);
      if (wanted) {
        if (waiting) clearTimeout(waiting.timer);
        this.waitingPrompts.delete(id);
        return answer(id, wanted.id);
      }
      if (waiting) return;
      const cancel = () => {
        clearTimeout(timer);
        this.waitingPrompts.delete(id);
        answer(id);
      };
      const timer = setTimeout(cancel, CHOOSER_SCAN_MS);
      this.waitingPrompts.set(id, { timer, cancel });
    });
    await session.send('DeviceAccess.enable');
  }

  /** Sets GATT-level faults for the lock at `address`. */
  setFaults(address: string, faults: Partial<GattFaults>): void {
    Object.assign(this.peripheral(address).faults, faults);
  }

  /** What the page has asked of the lock at `address` so far. */
  counts(address: string): GattCounts {
    return { ...this.peripheral(address).counts };
  }

  /**
   * Drops the link as a lock walking out of range would: the lock's session ends at once, the
   * page sees `gattserverdisconnected` and its later operations fail. Chromium's emulation
   * wedges when a disconnection meets a pending GATT operation (that operation never settles,
   * no event fires, and the browser's emulation stays broken), so while the page is connected
   * the drop rides on its next `control` read, answered "not ready": an IK1 client waits its
   * poll interval (20 ms) before reading again, so the disconnection lands first. Writes until
   * then succeed and their frames are lost. A page that makes no operation within 100 ms is
   * dropped then. Resolves once the link is down.
   */
  disconnect(address: string): Promise<void> {
    const peripheral = this.peripheral(address);
    if (!peripheral.connection) return this.drop(peripheral);
    peripheral.connection.close();
    return new Promise((resolve) => {
      peripheral.drop.waiters.push(resolve);
      peripheral.drop.timer ??= setTimeout(() => void this.drop(peripheral), IDLE_DROP_MS);
    });
  }

  /**
   * Makes the lock at `address` advertise once, as a lock in range does every few hundred ms:
   * a page watching it (`watchAdvertisements()`) gets `advertisementreceived`. The scan record
   * always carries `txPower` and `appearance`: without them Chromium's emulation (156) breaks
   * for the rest of the session.
   */
  async advertise(address: string, options: { rssi?: number } = {}): Promise<void> {
    await this.settled();
    const { lock } = this.peripheral(address);
    await this.session.send('BluetoothEmulation.simulateAdvertisement', {
      entry: {
        deviceAddress: address,
        rssi: options.rssi ?? ADVERTISED_RSSI,
        scanRecord: { name: lock.name, uuids: [IK1_SERVICE_UUID], txPower: ADVERTISED_TX_POWER, appearance: 0 },
      },
    });
  }

  /** Changes the adapter: `absent` makes `getAvailability()` false and `requestDevice` fail. */
  async setAdapter(state: AdapterState): Promise<void> {
    await this.settled();
    this.adapter = state;
    await this.session.send('BluetoothEmulation.setSimulatedCentralState', { state });
  }

  /** Ends emulation and forgets every lock: detaching the browser session disables it. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const [page, onNavigated] of this.watched) page.off('framenavigated', onNavigated);
    this.watched.clear();
    await this.restoring;
    // A chooser left open would refuse the next page's request: close every waiting one.
    for (const { cancel } of [...this.waitingPrompts.values()]) cancel();
    for (const peripheral of this.peripherals.values()) {
      clearTimeout(peripheral.drop.timer);
      peripheral.connection?.close();
      // A connection attempt left pending outlives `disable` and wedges the browser's
      // emulation for whoever comes next: fail it first.
      if (peripheral.connectHeld) {
        const { address } = peripheral;
        await this.session
          .send('BluetoothEmulation.simulateGATTOperationResponse', { address, type: 'connection', code: FAILURE_CODE })
          .catch(() => undefined);
      }
    }
    for (const session of this.pageSessions.splice(0)) await session.detach().catch(() => undefined);
    await this.session.send('BluetoothEmulation.disable').catch(() => undefined);
    await this.session.detach().catch(() => undefined);
  }

  /** Sends the disconnection; callers answer any pending operation first (see `disconnect`). */
  private async drop(peripheral: Peripheral): Promise<void> {
    clearTimeout(peripheral.drop.timer);
    peripheral.drop.timer = undefined;
    peripheral.connection?.close();
    peripheral.connection = null;
    await this.session
      .send('BluetoothEmulation.simulateGATTDisconnection', { address: peripheral.address })
      .catch(() => undefined);
    for (const resolve of peripheral.drop.waiters.splice(0)) resolve();
  }

  private peripheral(address: string): Peripheral {
    const peripheral = this.peripherals.get(address);
    if (!peripheral) throw new Error(`no emulated lock at ${address}`);
    return peripheral;
  }

  private async onGattOperation(address: string, type: 'connection' | 'discovery'): Promise<void> {
    const peripheral = this.peripherals.get(address);
    if (!peripheral) return;
    let code = 0;
    if (type === 'connection') {
      if (peripheral.faults.hangConnect) {
        peripheral.connectHeld = true;
        return;
      }
      peripheral.counts.connections++;
      code = peripheral.faults.failConnect ? FAILURE_CODE : 0;
      if (code === 0) {
        // A new GATT connection is a new lock session; the old one, if any, is gone.
        peripheral.connection?.close();
        peripheral.connection = peripheral.lock.connect();
        peripheral.controlSinceInfo = false;
      }
    } else if (peripheral.faults.failDiscovery) {
      code = FAILURE_CODE;
    }
    await this.session
      .send('BluetoothEmulation.simulateGATTOperationResponse', { address, type, code })
      .catch(() => undefined);
  }

  private async onCharacteristicOperation(characteristicId: string, type: string, data?: string): Promise<void> {
    const peripheral = this.byCharacteristic.get(characteristicId);
    if (!peripheral || (type !== 'read' && type !== 'write')) return;
    const respond = (code: number, bytes?: Uint8Array) =>
      this.session
        .send('BluetoothEmulation.simulateCharacteristicOperationResponse', {
          characteristicId,
          type,
          code,
          ...(bytes ? { data: toBase64(bytes) } : {}),
        })
        .catch(() => undefined);

    if (characteristicId === peripheral.infoId) {
      peripheral.counts.infoReads++;
      // Chromium raises no `connection` operation when the page disconnects and connects again
      // while its emulated link is cached, so the lock would carry a stale session into the
      // next attempt. An IK1 client reads `info` once, first thing on each connection: `info`
      // after `control` traffic means the page has connected anew.
      if (peripheral.connection && peripheral.controlSinceInfo) {
        peripheral.connection.close();
        peripheral.connection = peripheral.lock.connect();
        peripheral.counts.connections++;
      }
      peripheral.controlSinceInfo = false;
      await respond(0, peripheral.lock.info());
      return;
    }
    peripheral.controlSinceInfo = true;
    if (type === 'write') peripheral.counts.controlWrites++;
    else peripheral.counts.controlReads++;
    if (peripheral.faults.failControl) {
      await respond(FAILURE_CODE);
      return;
    }
    const connection = peripheral.connection;
    if (connection && !connection.closed) {
      try {
        if (type === 'write') {
          connection.writeFrame(fromBase64(data));
          await respond(0);
        } else {
          await respond(0, connection.readFrame());
        }
        return;
      } catch {
        // The lock dropped the link (a disconnect fault): handled below.
      }
    }
    // The lock has dropped the link (a disconnect fault, or `disconnect()`). Writes still
    // succeed, their frames lost; the disconnection rides on the next read, answered "not
    // ready", because the page waits its poll interval before the next operation: it cannot
    // slip one in before the disconnection lands (see `disconnect`).
    if (type === 'write') {
      await respond(0);
      return;
    }
    await Promise.all([respond(0, new Uint8Array(0)), this.drop(peripheral)]);
  }
}
