/**
 * `navigator.bluetooth` as polyfills shape it (WebBLE, Topaz, Bluefy and the like on iOS),
 * built over the browser's real, emulated Web Bluetooth so the locks behind them are the QA
 * kit's virtual locks. Each shape drops or bends what such polyfills are known to lack.
 */

export interface PolyfillShape {
  /** `navigator.bluetooth` a plain object (no addEventListener), as WebBLE's. */
  plainObject: boolean;
  getAvailability: boolean;
  /** Devices plain objects: no `gattserverdisconnected`, no `watchAdvertisements`. */
  plainDevices: boolean;
  /** Only the older `writeValue`. */
  writeValueOnly: boolean;
  /** `readValue` answers an ArrayBuffer instead of a DataView. */
  readsArrayBuffer: boolean;
}

export const SHAPES: Record<string, PolyfillShape> = {
  'WebBLE (plain objects, no getAvailability, writeValue only)': {
    plainObject: true,
    getAvailability: false,
    plainDevices: true,
    writeValueOnly: true,
    readsArrayBuffer: false,
  },
  'Topaz (plain object with getAvailability, ArrayBuffer reads)': {
    plainObject: true,
    getAvailability: true,
    plainDevices: false,
    writeValueOnly: false,
    readsArrayBuffer: true,
  },
  'Bluefy (an EventTarget without getAvailability)': {
    plainObject: false,
    getAvailability: false,
    plainDevices: false,
    writeValueOnly: false,
    readsArrayBuffer: false,
  },
};

/** Replaces `navigator.bluetooth` with `shape` over the real one; returns the undo. */
export function installPolyfill(shape: PolyfillShape): () => void {
  const real = navigator.bluetooth!;
  const characteristic = (c: BluetoothRemoteGATTCharacteristic) => ({
    uuid: c.uuid,
    readValue: async () => {
      const view = await c.readValue();
      return shape.readsArrayBuffer ? view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) : view;
    },
    ...(shape.writeValueOnly
      ? { writeValue: (v: BufferSource) => c.writeValueWithResponse(v) }
      : { writeValueWithResponse: (v: BufferSource) => c.writeValueWithResponse(v) }),
  });
  const device = (d: BluetoothDevice) => {
    const gatt = d.gatt!;
    const wrapped: Record<string, unknown> = {
      id: d.id,
      name: d.name,
      gatt: {
        get connected() {
          return gatt.connected;
        },
        connect: async () => (await gatt.connect(), wrapped.gatt),
        disconnect: () => gatt.disconnect(),
        getPrimaryService: async (uuid: string) => {
          const service = await gatt.getPrimaryService(uuid);
          return { uuid: service.uuid, getCharacteristic: async (id: string) => characteristic(await service.getCharacteristic(id)) };
        },
      },
    };
    if (!shape.plainDevices) {
      wrapped.addEventListener = d.addEventListener.bind(d);
      wrapped.removeEventListener = d.removeEventListener.bind(d);
    }
    return wrapped;
  };
  const api = (shape.plainObject ? {} : new EventTarget()) as Record<string, unknown>;
  api.requestDevice = async (options: RequestDeviceOptions) => device(await real.requestDevice(options));
  if (shape.getAvailability) api.getAvailability = () => real.getAvailability!();
  Object.defineProperty(navigator, 'bluetooth', { value: api, configurable: true });
  return () => void delete (navigator as { bluetooth?: unknown }).bluetooth;
}
