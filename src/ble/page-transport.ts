import { hasBridge } from './capabilities.ts';
import { requestLockDevice } from './request.ts';
import type { BluetoothTransport } from './transport.ts';

/*
 * The transport an element uses when its host gave none: the native bridge when the host
 * injected one (docs/native-bridge.md), else Web Bluetooth. Both are chunks of their own,
 * fetched when credentials arrive (the first `availability()`): the main file holds only
 * this, and the chooser's fallback for a tap that comes before the chunk.
 */

let web: BluetoothTransport | undefined;
let bridged: BluetoothTransport | undefined;

/** Decided on each call, so a bridge or a polyfill injected after load is picked up. */
export function pageTransport(): BluetoothTransport {
  if (hasBridge()) return (bridged ??= deferred(() => import('./bridge/transport.ts').then((m) => m.bridgeTransport())));
  return (web ??= webBluetooth());
}

function webBluetooth(): BluetoothTransport {
  const transport = deferred(() => import('./web-bluetooth.ts').then((m) => m.webBluetoothTransport()));
  return {
    ...transport,
    chooseLock(request) {
      if (transport.loaded) return transport.loaded.chooseLock(request);
      // requestDevice needs the tap's user activation: call it now, name its failure later.
      const picked = requestLockDevice(navigator.bluetooth!, request.names, request.service);
      return picked.catch((error: unknown) =>
        import('./web-bluetooth.ts').then(async (m) => {
          throw await m.classifyRequestError(error, navigator.bluetooth);
        }),
      );
    },
  };
}

/** A transport whose code arrives later: every call waits for it, `loaded` once it is here. */
function deferred(load: () => Promise<BluetoothTransport>): BluetoothTransport & { loaded?: BluetoothTransport } {
  let ready: Promise<BluetoothTransport> | undefined;
  const get = (): Promise<BluetoothTransport> => {
    ready ??= load().then((t) => (self.loaded = t));
    // A failed fetch (offline) is tried again on the next call.
    ready.catch(() => (ready = undefined));
    return ready;
  };
  const later = (subscribe: (t: BluetoothTransport) => (() => void) | undefined): (() => void) => {
    let stop: (() => void) | undefined;
    let stopped = false;
    get().then((t) => void (stopped || (stop = subscribe(t))), () => undefined);
    return () => {
      stopped = true;
      stop?.();
    };
  };
  const self: BluetoothTransport & { loaded?: BluetoothTransport } = {
    availability: () => get().then((t) => t.availability(), () => undefined),
    onAvailabilityChange: (listener) => later((t) => t.onAvailabilityChange?.(listener)),
    chooseLock: (request) => get().then((t) => t.chooseLock(request)),
    connect: (lock, options) => get().then((t) => t.connect(lock, options)),
    watchNearby: (names, onChange) => later((t) => t.watchNearby?.(names, onChange)),
    inRange: (name) => self.loaded?.inRange?.(name) ?? false,
  };
  return self;
}
