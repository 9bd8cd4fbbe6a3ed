import { domErrorName } from './errors.ts';
import { connectGattLink } from './gatt-link.ts';
import { NearbyLocks } from './nearby.ts';
import { lockRequestOptions } from './request.ts';
import { transportError, type BluetoothTransport, type ChosenLock, type LockLink } from './transport.ts';

/*
 * Web Bluetooth as a `BluetoothTransport`, for the browser's own `navigator.bluetooth` and for
 * polyfills of it (WebBLE, Topaz, Bluefy and the like). It reads `navigator.bluetooth` on each
 * call, so a polyfill injected after the page loaded is used, and feature-detects everything
 * beyond `requestDevice` (see docs/native-bridge.md, "The Web Bluetooth the element needs").
 * The element loads this module lazily (see ./page-transport.ts): it needs only the chooser
 * before credentials arrive.
 */

type Get = () => Bluetooth | undefined;

/** Whether `target` can take event listeners (a polyfill's `navigator.bluetooth` may be a plain object). */
export function isEventTarget(target: unknown): target is EventTarget {
  return typeof (target as EventTarget | null)?.addEventListener === 'function' && typeof (target as EventTarget).removeEventListener === 'function';
}

/** Whether Bluetooth is usable; `undefined` when the browser cannot tell. Never rejects. */
export async function adapterAvailable(bluetooth: Bluetooth | undefined): Promise<boolean | undefined> {
  if (!bluetooth) return false;
  if (typeof bluetooth.getAvailability !== 'function') return undefined;
  try {
    const available = await bluetooth.getAvailability();
    return typeof available === 'boolean' ? available : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Names a failed `requestDevice`. A NotFoundError is both "chooser cancelled" and "no adapter"
 * in Chromium, so availability decides; a polyfill that cannot tell means "cancelled".
 */
export async function classifyRequestError(error: unknown, bluetooth: Bluetooth | undefined): Promise<Error> {
  const name = domErrorName(error);
  if (name === 'NotFoundError') {
    return (await adapterAvailable(bluetooth)) === false
      ? transportError('ble_unavailable', 'Bluetooth is off or absent', error)
      : transportError('ble_cancelled', 'The device chooser was closed', error);
  }
  if (name === 'SecurityError' || name === 'NotAllowedError' || name === 'NotSupportedError') {
    return transportError('ble_unavailable', `Bluetooth is not allowed here (${name})`, error);
  }
  return transportError('ble_connect_failed', `The device chooser failed (${name ?? 'unknown error'})`, error);
}

/** The Web Bluetooth transport over `get()` (default: `navigator.bluetooth`, read on each call). */
export function webBluetoothTransport(get: Get = () => navigator.bluetooth): BluetoothTransport {
  let nearby: NearbyLocks | undefined;
  return {
    availability: () => adapterAvailable(get()),
    onAvailabilityChange(listener) {
      const bluetooth = get();
      if (!isEventTarget(bluetooth)) return () => undefined;
      const handler = (event: Event): void => {
        const value = (event as Event & { value?: unknown }).value;
        if (typeof value === 'boolean') listener(value);
      };
      bluetooth.addEventListener('availabilitychanged', handler);
      return () => bluetooth.removeEventListener('availabilitychanged', handler);
    },
    chooseLock({ names, service }) {
      const bluetooth = get();
      // A lock already chosen once and advertising now opens without the chooser. Otherwise
      // nothing may be awaited before requestDevice: the chooser needs the tap's user activation.
      const known = nearby?.inRange(names);
      if (known) return Promise.resolve(known);
      let chosen: Promise<BluetoothDevice>;
      try {
        if (typeof bluetooth?.requestDevice !== 'function') throw new DOMException('No Web Bluetooth', 'NotSupportedError');
        chosen = Promise.resolve(bluetooth.requestDevice(lockRequestOptions(names, service)));
      } catch (error) {
        chosen = Promise.reject(error);
      }
      return chosen.then(
        (device) => {
          nearby?.remember(device);
          return device;
        },
        async (error: unknown) => {
          throw await classifyRequestError(error, bluetooth);
        },
      );
    },
    connect: (lock: ChosenLock, { signal, timeoutMs }): Promise<LockLink> =>
      connectGattLink(lock as BluetoothDevice, { signal, stepTimeoutMs: timeoutMs }),
    watchNearby(names, onChange) {
      nearby?.stop();
      const watching = new NearbyLocks(onChange);
      nearby = watching;
      const bluetooth = get();
      if (bluetooth) void watching.watch(bluetooth, names);
      return () => {
        watching.stop();
        if (nearby === watching) nearby = undefined;
      };
    },
    inRange: (name) => nearby?.inRange([name]) !== undefined,
  };
}
