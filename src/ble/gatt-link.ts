import { connectLock, disconnectLock, type ConnectOptions, type GattLink } from './connect.ts';
import { domErrorName } from './errors.ts';
import { transportError, type LockLink } from './transport.ts';

/*
 * A `LockLink` over Web Bluetooth GATT objects, guarded for polyfills: devices that are no
 * EventTarget (no drop events: a failed operation on a link that is no longer `connected`
 * still reads as a drop), no `writeValueWithResponse` (the older `writeValue`), and
 * `readValue` answering with an ArrayBuffer or a typed array instead of a DataView.
 */

/** Connects to `device` (see `connectLock`) and wraps the result as a `LockLink`. */
export async function connectGattLink(device: BluetoothDevice, options: ConnectOptions): Promise<LockLink> {
  return gattLockLink(await connectLock(device, options));
}

export function gattLockLink(link: GattLink): LockLink {
  const { device, info, control } = link;
  const fail = (what: string) => (error: unknown) => {
    const gone = domErrorName(error) === 'NetworkError' || device.gatt?.connected === false;
    throw gone
      ? transportError('ble_disconnected', `The lock disconnected during ${what}`, error)
      : transportError('ble_gatt_failed', `GATT ${what} failed (${domErrorName(error) ?? 'unknown error'})`, error);
  };
  const call = <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return Promise.resolve(run()).catch(fail(what));
    } catch (error) {
      return Promise.reject(error).catch(fail(what));
    }
  };
  return {
    readInfo: () => call('read info', async () => toBytes(await info.readValue())),
    writeControl: (value) =>
      call('write control', () =>
        typeof control.writeValueWithResponse === 'function' ? control.writeValueWithResponse(value) : control.writeValue!(value),
      ),
    readControl: () => call('read control', async () => toBytes(await control.readValue())),
    onDisconnect(listener) {
      if (typeof device.addEventListener !== 'function') return () => undefined;
      const handler = (): void => listener();
      device.addEventListener('gattserverdisconnected', handler);
      return () => device.removeEventListener('gattserverdisconnected', handler);
    },
    disconnect: () => disconnectLock(device),
  };
}

/** Copies the value's bytes (the browser may reuse the underlying buffer). */
export function toBytes(value: DataView | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  throw new TypeError('a GATT read gave no bytes');
}
