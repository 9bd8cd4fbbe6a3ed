/*
 * The slice of Web Bluetooth (https://webbluetoothcg.github.io/web-bluetooth/) this package
 * uses. TypeScript's DOM lib has none of it and no @types package is installed. Drop this
 * file if `@types/web-bluetooth` is ever added (the names would clash).
 */

type BluetoothServiceUUID = string | number;
type BluetoothCharacteristicUUID = string | number;

interface BluetoothLEScanFilterInit {
  services?: BluetoothServiceUUID[];
  name?: string;
  namePrefix?: string;
}

interface RequestDeviceOptions {
  filters?: BluetoothLEScanFilterInit[];
  optionalServices?: BluetoothServiceUUID[];
  acceptAllDevices?: boolean;
}

interface Bluetooth extends EventTarget {
  /** Missing in some polyfills; feature-detect. */
  getAvailability?(): Promise<boolean>;
  requestDevice(options: RequestDeviceOptions): Promise<BluetoothDevice>;
  /** Only with the new permissions backend; feature-detect. */
  getDevices?(): Promise<BluetoothDevice[]>;
}

interface BluetoothDevice extends EventTarget {
  readonly id: string;
  readonly name?: string | null;
  readonly gatt?: BluetoothRemoteGATTServer;
  /** Only with the new permissions backend; feature-detect. Fires `advertisementreceived`. */
  watchAdvertisements?(options?: { signal?: AbortSignal }): Promise<void>;
}

interface BluetoothRemoteGATTServer {
  readonly device: BluetoothDevice;
  readonly connected: boolean;
  connect(): Promise<BluetoothRemoteGATTServer>;
  disconnect(): void;
  getPrimaryService(service: BluetoothServiceUUID): Promise<BluetoothRemoteGATTService>;
}

interface BluetoothRemoteGATTService {
  readonly uuid: string;
  readonly device: BluetoothDevice;
  getCharacteristic(characteristic: BluetoothCharacteristicUUID): Promise<BluetoothRemoteGATTCharacteristic>;
}

interface BluetoothRemoteGATTCharacteristic extends EventTarget {
  readonly uuid: string;
  readonly service: BluetoothRemoteGATTService;
  readonly value?: DataView | null;
  readValue(): Promise<DataView>;
  writeValueWithResponse(value: ArrayBufferView | ArrayBuffer): Promise<void>;
  /** The older name, which some polyfills have instead of `writeValueWithResponse`. */
  writeValue?(value: ArrayBufferView | ArrayBuffer): Promise<void>;
}

interface Navigator {
  /** Absent in browsers without Web Bluetooth and in insecure contexts. */
  readonly bluetooth?: Bluetooth;
}
