/**
 * Just enough Web Bluetooth for Node tests of src/ble/: a device whose GATT server fronts a
 * `VirtualLock`, with knobs to hang, fail or drop operations. Rejections use the DOMException
 * names Chromium uses (NetworkError once disconnected, NotSupportedError for a failed op).
 */
import { IK1_CONTROL_UUID, IK1_INFO_UUID, IK1_SERVICE_UUID } from '../../../src/protocol/constants.ts';
import { LockDisconnectedError, type LockConnection, type VirtualLock } from '../../../src/testing/virtual-lock.ts';

type Op = 'connect' | 'discovery' | 'info' | 'write' | 'read';

export interface FakeKnobs {
  /** Operations that never answer. */
  hang: Set<Op>;
  /** Operations that reject with this DOMException name. */
  fail: Map<Op, string>;
  /** Drop the link when this write or read (1-based, control only) starts. */
  dropAtControlOp: number | undefined;
}

export class FakeDevice extends EventTarget implements BluetoothDevice {
  readonly id = 'AA:BB:CC:DD:EE:FF';
  readonly name: string;
  readonly gatt: FakeServer;
  readonly knobs: FakeKnobs = { hang: new Set(), fail: new Map(), dropAtControlOp: undefined };
  /** Highest number of GATT operations in flight at once. */
  maxInFlight = 0;
  inFlight = 0;
  controlOps = 0;
  disconnectCalls = 0;

  constructor(readonly lock: VirtualLock) {
    super();
    this.name = lock.name;
    this.gatt = new FakeServer(this);
  }

  /** Runs one GATT operation under the knobs. */
  async op<T>(kind: Op, run: () => T): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await Promise.resolve();
      if (this.knobs.hang.has(kind)) await new Promise(() => {});
      const failName = this.knobs.fail.get(kind);
      if (failName) throw new DOMException(`${kind} failed`, failName);
      if (kind !== 'connect' && !this.gatt.connected) throw new DOMException('GATT Server is disconnected.', 'NetworkError');
      return run();
    } catch (error) {
      if (error instanceof LockDisconnectedError) throw new DOMException(error.message, 'NetworkError');
      throw error;
    } finally {
      this.inFlight--;
    }
  }
}

class FakeServer implements BluetoothRemoteGATTServer {
  connected = false;
  connection: LockConnection | undefined;
  constructor(readonly device: FakeDevice) {}

  async connect(): Promise<BluetoothRemoteGATTServer> {
    return this.device.op('connect', () => {
      this.connection = this.device.lock.connect();
      this.connected = true;
      return this;
    });
  }

  disconnect(): void {
    this.device.disconnectCalls++;
    this.drop();
  }

  /** The link goes down, from either side. */
  drop(): void {
    if (!this.connected) return;
    this.connected = false;
    this.connection?.close();
    this.device.dispatchEvent(new Event('gattserverdisconnected'));
  }

  async getPrimaryService(service: BluetoothServiceUUID): Promise<BluetoothRemoteGATTService> {
    return this.device.op('discovery', () => {
      if (service !== IK1_SERVICE_UUID) throw new DOMException('No Services matching UUID found', 'NotFoundError');
      return new FakeService(this.device, this);
    });
  }
}

class FakeService implements BluetoothRemoteGATTService {
  readonly uuid = IK1_SERVICE_UUID;
  constructor(
    readonly device: FakeDevice,
    readonly server: FakeServer,
  ) {}

  async getCharacteristic(uuid: BluetoothCharacteristicUUID): Promise<BluetoothRemoteGATTCharacteristic> {
    return this.device.op('discovery', () => {
      if (uuid !== IK1_INFO_UUID && uuid !== IK1_CONTROL_UUID) throw new DOMException('No Characteristics', 'NotFoundError');
      return new FakeCharacteristic(this, uuid);
    });
  }
}

class FakeCharacteristic extends EventTarget implements BluetoothRemoteGATTCharacteristic {
  constructor(
    readonly service: FakeService,
    readonly uuid: string,
  ) {
    super();
  }

  async readValue(): Promise<DataView> {
    const device = this.service.device;
    if (this.uuid === IK1_INFO_UUID) return device.op('info', () => view(device.lock.info()));
    this.#maybeDrop();
    return device.op('read', () => view(this.service.server.connection!.readFrame()));
  }

  async writeValueWithResponse(value: ArrayBufferView | ArrayBuffer): Promise<void> {
    const device = this.service.device;
    if (this.uuid !== IK1_CONTROL_UUID) throw new DOMException('not writable', 'NotSupportedError');
    const bytes = ArrayBuffer.isView(value)
      ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
      : new Uint8Array(value).slice();
    this.#maybeDrop();
    return device.op('write', () => this.service.server.connection!.writeFrame(bytes));
  }

  #maybeDrop(): void {
    const device = this.service.device;
    device.controlOps++;
    if (device.knobs.dropAtControlOp === device.controlOps) device.gatt.drop();
  }
}

/** A DataView over a copy placed at an offset, as browsers may hand back a shared buffer. */
function view(bytes: Uint8Array): DataView {
  const buffer = new ArrayBuffer(bytes.length + 8);
  new Uint8Array(buffer).set(bytes, 4);
  return new DataView(buffer, 4, bytes.length);
}

export class FakeBluetooth extends EventTarget implements Bluetooth {
  available = true;
  requests: RequestDeviceOptions[] = [];
  /** What the chooser does: pick a device, or reject with a DOMException name. */
  chooser: FakeDevice | { reject: string } = { reject: 'NotFoundError' };

  async getAvailability(): Promise<boolean> {
    return this.available;
  }

  requestDevice(options: RequestDeviceOptions): Promise<BluetoothDevice> {
    this.requests.push(options);
    const chooser = this.chooser;
    if ('reject' in chooser) return Promise.reject(new DOMException('User cancelled the requestDevice() chooser.', chooser.reject));
    return Promise.resolve(chooser);
  }
}
