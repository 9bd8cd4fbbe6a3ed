import type { Credential } from '../credentials/types.ts';
import { Lazy } from '../lazy.ts';
import { adapterAvailable } from './capabilities.ts';
import type { LockTransport } from './lock-transport.ts';
import type { NearbyLocks } from './nearby.ts';
import { requestLockDevice } from './request.ts';
import type { BluetoothUnlockResult } from './unlock.ts';

// The unlock engine (connect, IK1 session, crypto, nearby locks) is not needed to show the key,
// so it is a chunk of its own, fetched as soon as credentials arrive: it is in memory before
// the first tap, and stays there when the network goes away.
const engine = new Lazy(() => import('./engine.ts'));

/** The default `LockTransport`: the browser's own Web Bluetooth. */
export function webBluetoothLocks(bluetooth: Bluetooth): LockTransport {
  let nearby: NearbyLocks | undefined;
  return {
    availability: () => adapterAvailable(bluetooth),
    watchAvailability(listener, signal) {
      bluetooth.addEventListener(
        'availabilitychanged',
        (event) => {
          const value = (event as Event & { value?: unknown }).value;
          if (typeof value === 'boolean') listener(value);
        },
        { signal },
      );
    },
    prepare(names, onNearby) {
      engine.load().then(
        (m) => {
          nearby?.stop();
          nearby = new m.NearbyLocks(onNearby);
          void nearby.watch(bluetooth, names);
        },
        () => undefined,
      );
    },
    inRange: (names) => nearby?.inRange(names) !== undefined,
    unlock(credentials: readonly Credential[], signal: AbortSignal): Promise<BluetoothUnlockResult> {
      const names = credentials.map((c) => c.lock.ble_name);
      // A lock already chosen once and advertising now opens without the chooser. Otherwise
      // nothing may be awaited before requestDevice: the chooser needs the tap's user activation.
      const known = nearby?.inRange(names);
      const chosen = known ? Promise.resolve(known) : requestLockDevice(bluetooth, names);
      if (!known) void chosen.then((device) => nearby?.remember(device), () => undefined);
      return engine.load().then(
        (m) => m.unlockDoors(chosen, credentials, { bluetooth, signal }),
        (): BluetoothUnlockResult => ({ ok: false, code: 'network_offline', message: 'The unlock code could not be loaded' }),
      );
    },
    stop() {
      nearby?.stop();
    },
  };
}
