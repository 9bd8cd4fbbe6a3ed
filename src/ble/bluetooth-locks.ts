import { chunkHint } from '../hints.ts';
import type { Credential } from '../credentials/types.ts';
import { Lazy } from '../lazy.ts';
import { IK1_SERVICE_UUID } from '../protocol/constants.ts';
import type { LockTransport } from './lock-transport.ts';
import { pageTransport } from './page-transport.ts';
import type { BluetoothTransport, ChosenLock } from './transport.ts';
import type { BluetoothUnlockResult } from './unlock.ts';

// The unlock engine (connect, IK1 session, crypto) is not needed to show the key, so it is a
// chunk of its own, fetched as soon as credentials arrive: it is in memory before the first
// tap, and stays there when the network goes away.
const engine = new Lazy(() => import('./engine.ts'));

/**
 * The element's way to the locks over a `BluetoothTransport`: the host's own (`own`), else
 * the page's, the native bridge or Web Bluetooth, decided on each use so that a bridge or
 * polyfill injected late is used. Every call into the transport is guarded: a host's
 * transport that throws or rejects ends as a typed result, never as a stuck `unlocking`.
 */
export function bluetoothLocks(own: BluetoothTransport | undefined): LockTransport {
  const get = (): BluetoothTransport => own ?? pageTransport();
  let stopNearby: (() => void) | undefined;
  return {
    availability: () => attempt(() => get().availability()).then(
      (available) => (typeof available === 'boolean' ? available : undefined),
      () => undefined,
    ),
    watchAvailability(listener, signal) {
      try {
        const stop = get().onAvailabilityChange?.((available) => typeof available === 'boolean' && listener(available));
        if (stop) signal.addEventListener('abort', stop, { once: true });
      } catch {
        // No live updates: the check when credentials arrive still tells.
      }
    },
    prepare(names, onNearby) {
      engine.load().catch(() => undefined);
      stopNearby?.();
      try {
        stopNearby = get().watchNearby?.(names, onNearby);
      } catch {
        stopNearby = undefined;
      }
    },
    inRange(names) {
      try {
        const transport = get();
        return names.some((name) => transport.inRange?.(name) === true);
      } catch {
        return false;
      }
    },
    unlock(credentials: readonly Credential[], signal: AbortSignal): Promise<BluetoothUnlockResult> {
      const transport = get();
      const names = [...new Set(credentials.map((c) => c.lock.ble_name))];
      // Nothing may be awaited before chooseLock: a chooser needs the tap's user activation.
      const chosen: Promise<ChosenLock> = attempt(() => transport.chooseLock({ names, service: IK1_SERVICE_UUID, signal }));
      // Awaited by the engine once it is loaded; until then a rejection is not "unhandled".
      chosen.catch(() => undefined);
      return engine.load().then(
        (m) => m.unlockDoors(transport, chosen, credentials, { signal }),
        (): BluetoothUnlockResult => {
          chunkHint('The unlock engine (instant-key-engine-*.js)');
          return { ok: false, code: 'load_failed', message: 'The unlock code could not be loaded' };
        },
      );
    },
    stop() {
      stopNearby?.();
      stopNearby = undefined;
    },
  };
}

/** `run()` as a promise, whether it returns one, a value, or throws. */
function attempt<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}
