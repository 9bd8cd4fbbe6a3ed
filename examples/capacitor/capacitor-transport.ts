/**
 * A `BluetoothTransport` for `<instant-key>` over `@capacitor-community/bluetooth-le`, for a
 * Capacitor app that shows the key in its WebView with the plugin's native Bluetooth (iOS,
 * Android), or in a browser through the plugin's web layer (Web Bluetooth).
 *
 * The plugin's limits, and what this does about them:
 * - One name per request filter: `requestDevice` takes a single `name` (or `namePrefix`).
 *   A key with several locks asks by their longest common name prefix (or by the IK1 service
 *   alone) and refuses a chosen lock that is not one of them.
 * - Never await its `disconnect`: `BleClient` runs every call in one queue, and a call that
 *   never settles (a read the lock never answers) wedges everything behind it. Disconnecting
 *   goes to the plugin directly (`BluetoothLe.disconnect`), past the queue, and is not awaited.
 */
import { BleClient, BluetoothLe } from '@capacitor-community/bluetooth-le';
import type { BluetoothTransport, ChosenLock, LockLink, TransportErrorCode } from 'instant-key';

const INFO = '5a1e0002-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
const CONTROL = '5a1e0003-7c3d-4f5e-9a8b-1c2d3e4f5a6b';

interface CapacitorLock extends ChosenLock {
  deviceId: string;
  name: string;
}

/** Errors cross the transport as plain codes: no class from instant-key needed. */
function fail(code: TransportErrorCode, error: unknown): Error & { code: TransportErrorCode } {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(message), { code });
}

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

function bytes(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

export function capacitorTransport(): BluetoothTransport {
  let initialized: Promise<void> | undefined;
  const initialize = (): Promise<void> => {
    initialized ??= BleClient.initialize();
    initialized.catch(() => (initialized = undefined));
    return initialized;
  };

  return {
    async availability() {
      try {
        await initialize();
        return await BleClient.isEnabled();
      } catch {
        return false;
      }
    },

    chooseLock({ names, service }) {
      // Called in the tap: the web layer's requestDevice needs its user activation.
      const filter = names.length === 1 ? { name: names[0] } : commonPrefix(names) ? { namePrefix: commonPrefix(names) } : {};
      return BleClient.requestDevice({ services: [service], optionalServices: [service], ...filter }).then(
        (device): CapacitorLock => {
          if (!device.name || !names.includes(device.name)) {
            throw fail('ble_connect_failed', new Error(`${device.name ?? 'A lock without a name'} is not a lock of this key`));
          }
          return { deviceId: device.deviceId, name: device.name };
        },
        (error: unknown) => {
          const cancelled = (error as { name?: string }).name === 'NotFoundError' || /cancel/i.test(String((error as Error).message));
          throw fail(cancelled ? 'ble_cancelled' : 'ble_unavailable', error);
        },
      );
    },

    async connect(chosen, { signal, timeoutMs }): Promise<LockLink> {
      const { deviceId } = chosen as CapacitorLock;
      const service = '5a1e0001-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
      const drops = new Set<() => void>();
      let dropped = false;
      const release = (): void => void BluetoothLe.disconnect({ deviceId }).catch(() => undefined);
      try {
        await BleClient.connect(
          deviceId,
          () => {
            dropped = true;
            for (const listener of [...drops]) listener();
          },
          { timeout: 2 * timeoutMs },
        );
      } catch (error) {
        release();
        throw fail(/timeout/i.test(String((error as Error).message)) ? 'ble_timeout' : 'ble_connect_failed', error);
      }
      if (signal.aborted) {
        release();
        throw signal.reason;
      }
      const gatt = async <T>(run: () => Promise<T>): Promise<T> => {
        try {
          return await run();
        } catch (error) {
          throw fail(dropped ? 'ble_disconnected' : /timeout/i.test(String((error as Error).message)) ? 'ble_timeout' : 'ble_gatt_failed', error);
        }
      };
      return {
        readInfo: () => gatt(async () => bytes(await BleClient.read(deviceId, service, INFO, { timeout: timeoutMs }))),
        readControl: () => gatt(async () => bytes(await BleClient.read(deviceId, service, CONTROL, { timeout: timeoutMs }))),
        writeControl: (value) =>
          gatt(() => BleClient.write(deviceId, service, CONTROL, new DataView(value.buffer, value.byteOffset, value.byteLength), { timeout: timeoutMs })),
        onDisconnect(listener) {
          drops.add(listener);
          return () => drops.delete(listener);
        },
        disconnect: release,
      };
    },
  };
}
