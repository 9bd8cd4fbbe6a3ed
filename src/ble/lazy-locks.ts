import { chunkHint } from '../hints.ts';
import { Lazy } from '../lazy.ts';
import type { LockTransport } from './lock-transport.ts';
import type { BluetoothTransport } from './transport.ts';
import type { BluetoothUnlockResult } from './unlock.ts';

/*
 * The element's way to the locks, with its code (./bluetooth-locks.ts: Web Bluetooth, the
 * bridge, nearby locks) in a chunk of its own, fetched when credentials arrive. Once it is
 * here every call goes straight through, so a tap opens the chooser synchronously.
 */

const code = new Lazy(() => import('./bluetooth-locks.ts'));

const NOT_LOADED: BluetoothUnlockResult = { ok: false, code: 'load_failed', message: 'The Bluetooth code could not be loaded' };

/** Locks through the host's transport `own`, else the page's (the bridge, or Web Bluetooth). */
export function lazyLocks(own: BluetoothTransport | undefined): LockTransport {
  let locks: LockTransport | undefined;
  const ready = (): Promise<LockTransport> => code.load().then((m) => (locks ??= m.bluetoothLocks(own)));
  const later = (use: (l: LockTransport) => unknown): void => void ready().then(use, () => undefined);
  return {
    availability: () => ready().then((l) => l.availability(), () => undefined),
    watchAvailability: (listener, signal) => later((l) => signal.aborted || l.watchAvailability(listener, signal)),
    prepare: (names, onNearby) => later((l) => l.prepare(names, onNearby)),
    inRange: (names) => locks?.inRange(names) ?? false,
    unlock: (credentials, signal) => locks?.unlock(credentials, signal) ?? ready().then((l) => l.unlock(credentials, signal), () => {
      chunkHint('The Bluetooth code (instant-key-bluetooth-locks-*.js)');
      return NOT_LOADED;
    }),
    stop: () => locks?.stop(),
  };
}
