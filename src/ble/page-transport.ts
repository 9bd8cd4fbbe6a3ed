import { Lazy } from '../lazy.ts';
import { hasBridge } from './capabilities.ts';
import type { BluetoothTransport } from './transport.ts';
import { webBluetoothTransport } from './web-bluetooth.ts';

/*
 * The transport an element uses when its host gave none: the native bridge when the host
 * injected one (docs/native-bridge.md), else Web Bluetooth. The bridge's code is a chunk of
 * its own, fetched only on pages that have a bridge.
 */

let web: BluetoothTransport | undefined;
let bridged: BluetoothTransport | undefined;

/** Decided on each call, so a bridge or a polyfill injected after load is picked up. */
export function pageTransport(): BluetoothTransport {
  if (hasBridge()) return (bridged ??= deferred(() => import('./bridge/transport.ts').then((m) => m.bridgeTransport())));
  return (web ??= webBluetoothTransport());
}

/** A transport whose code arrives later: calls wait for it until it is loaded. */
function deferred(load: () => Promise<BluetoothTransport>): BluetoothTransport {
  const code = new Lazy(load);
  const later = (subscribe: (t: BluetoothTransport) => (() => void) | undefined): (() => void) => {
    let stop: (() => void) | undefined;
    let stopped = false;
    code.load().then((t) => void (stopped || (stop = subscribe(t))), () => undefined);
    return () => {
      stopped = true;
      stop?.();
    };
  };
  return {
    availability: () => code.load().then((t) => t.availability(), () => undefined),
    onAvailabilityChange: (listener) => later((t) => t.onAvailabilityChange?.(listener)),
    chooseLock: (request) => code.current?.chooseLock(request) ?? code.load().then((t) => t.chooseLock(request)),
    connect: (lock, options) => code.load().then((t) => t.connect(lock, options)),
    watchNearby: (names, onChange) => later((t) => t.watchNearby?.(names, onChange)),
    inRange: (name) => code.current?.inRange?.(name) ?? false,
  };
}
