import { IK1_CONTROL_UUID, IK1_INFO_UUID, IK1_SERVICE_UUID } from '../protocol/constants.ts';
import { BleError, domErrorName } from './errors.ts';

/** protocol.md: each step (connect, discovery, each write, each reply) has its own timeout. */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;

// The chooser half lives in request.ts, small enough for the element's main file.
export { lockRequestOptions, requestLockDevice } from './request.ts';

/** The connected lock's GATT objects (see `connectLock`). */
export interface GattLink {
  device: BluetoothDevice;
  info: BluetoothRemoteGATTCharacteristic;
  control: BluetoothRemoteGATTCharacteristic;
}

export interface ConnectOptions {
  signal: AbortSignal;
  stepTimeoutMs?: number;
}

/**
 * Connects to a chosen lock and finds the IK1 service and its `info` and `control`
 * characteristics. Disconnects before rethrowing, so a failure leaves nothing open.
 * Rejects with a `BleError`, or with the signal's reason when aborted.
 */
export async function connectLock(device: BluetoothDevice, options: ConnectOptions): Promise<GattLink> {
  const { signal, stepTimeoutMs = DEFAULT_STEP_TIMEOUT_MS } = options;
  const gatt = device.gatt;
  if (!gatt) throw new BleError('ble_connect_failed', 'The device has no GATT server');
  try {
    const server = await step(gatt.connect(), 'connect', stepTimeoutMs, signal);
    return await step(
      (async () => {
        const service = await server.getPrimaryService(IK1_SERVICE_UUID);
        // One at a time: some stacks refuse concurrent discovery on one device.
        const info = await service.getCharacteristic(IK1_INFO_UUID);
        const control = await service.getCharacteristic(IK1_CONTROL_UUID);
        return { device, info, control };
      })(),
      'discovery',
      stepTimeoutMs,
      signal,
    );
  } catch (error) {
    disconnectLock(device);
    if (signal.aborted) throw signal.reason;
    if (error instanceof BleError) throw error;
    throw new BleError('ble_connect_failed', `Could not connect to the lock (${domErrorName(error) ?? 'unknown error'})`, {
      cause: error,
    });
  }
}

/** Disconnects if connected; never throws (it runs on every exit path). */
export function disconnectLock(device: BluetoothDevice): void {
  try {
    if (device.gatt?.connected) device.gatt.disconnect();
  } catch {
    // Already gone.
  }
}

function step<T>(op: Promise<T>, what: string, timeoutMs: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      done();
      reject(new BleError('ble_timeout', `The lock did not answer (${what})`));
    }, timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    op.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}
