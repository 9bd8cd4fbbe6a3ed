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
  /** Service discovery fails. */
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
}

const NO_FAULTS: GattFaults = { failConnect: false, failDiscovery: false, failControl: false, hangConnect: false };
const FAILURE_CODE = 1;

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
 */
export class BluetoothEmulator {
  private readonly peripherals = new Map<string, Peripheral>();
  private readonly byCharacteristic = new Map<string, Peripheral>();
  private readonly pageSessions: CDPSession[] = [];
  private nextAddress = 1;

  private constructor(private readonly session: CDPSession) {
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
    return new BluetoothEmulator(session);
  }

  /** Makes `lock` reachable: it shows in choosers whose filters match its name and service. */
  async addLock(lock: EmulatedLock, options: { address?: string } = {}): Promise<string> {
    const address = options.address ?? this.allocateAddress();
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
      faults: { ...NO_FAULTS },
      counts: { connections: 0, infoReads: 0, controlWrites: 0, controlReads: 0 },
    };
    this.peripherals.set(address, peripheral);
    this.byCharacteristic.set(infoId, peripheral);
    this.byCharacteristic.set(controlId, peripheral);
    return address;
  }

  /** How the device chooser is answered from now on (default: select the first matching lock). */
  chooser: ChooserPolicy = { action: 'select' };

  /** Answers `page`'s device chooser prompts by the current `chooser` policy. */
  async watchChooser(page: Page): Promise<void> {
    const session = await page.context().newCDPSession(page);
    this.pageSessions.push(session);
    // Chromium can prompt twice with the same id; answering one id twice crashes the browser.
    const answered = new Set<string>();
    session.on('DeviceAccess.deviceRequestPrompted', ({ id, devices }) => {
      const policy = this.chooser;
      if (answered.has(id) || policy.action === 'ignore') return;
      answered.add(id);
      const wanted = policy.action === 'select' ? devices.find((d) => !policy.address || d.id === policy.address) : undefined;
      const reply = wanted
        ? session.send('DeviceAccess.selectPrompt', { id, deviceId: wanted.id })
        : session.send('DeviceAccess.cancelPrompt', { id });
      reply.catch(() => undefined);
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

  /** Drops the link as a lock walking out of range would: the page sees `gattserverdisconnected`. */
  async disconnect(address: string): Promise<void> {
    const peripheral = this.peripheral(address);
    peripheral.connection?.close();
    peripheral.connection = null;
    await this.session.send('BluetoothEmulation.simulateGATTDisconnection', { address });
  }

  /** Changes the adapter: `absent` makes `getAvailability()` false and `requestDevice` fail. */
  async setAdapter(state: AdapterState): Promise<void> {
    await this.session.send('BluetoothEmulation.setSimulatedCentralState', { state });
  }

  /** Ends emulation and forgets every lock: detaching the browser session disables it. */
  async stop(): Promise<void> {
    for (const peripheral of this.peripherals.values()) peripheral.connection?.close();
    for (const session of this.pageSessions.splice(0)) await session.detach().catch(() => undefined);
    await this.session.send('BluetoothEmulation.disable').catch(() => undefined);
    await this.session.detach().catch(() => undefined);
  }

  private allocateAddress(): string {
    const n = this.nextAddress++;
    return `0A:1E:00:00:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`.toUpperCase();
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
      if (peripheral.faults.hangConnect) return;
      peripheral.counts.connections++;
      code = peripheral.faults.failConnect ? FAILURE_CODE : 0;
      if (code === 0) {
        // A new GATT connection is a new lock session; the old one, if any, is gone.
        peripheral.connection?.close();
        peripheral.connection = peripheral.lock.connect();
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
      await respond(0, peripheral.lock.info());
      return;
    }
    if (type === 'write') peripheral.counts.controlWrites++;
    else peripheral.counts.controlReads++;
    const connection = peripheral.connection;
    if (peripheral.faults.failControl || !connection || connection.closed) {
      await respond(FAILURE_CODE);
      return;
    }
    try {
      if (type === 'write') {
        connection.writeFrame(fromBase64(data));
        await respond(0);
      } else {
        await respond(0, connection.readFrame());
      }
    } catch {
      // The lock dropped the link (a disconnect fault): the page sees the disconnection first,
      // as with a real lock, and the pending operation fails.
      await this.disconnect(peripheral.address).catch(() => undefined);
      await respond(FAILURE_CODE);
    }
  }
}
