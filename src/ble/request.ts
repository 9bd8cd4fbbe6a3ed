import { IK1_SERVICE_UUID } from '../protocol/constants.ts';

/*
 * Opening the device chooser: the one Bluetooth call that must happen in the tap's handler.
 * Kept apart from connecting and the IK1 session, which the element loads on demand.
 */

/**
 * `requestDevice` options listing only the given locks: one filter per lock name, each also
 * requiring the IK1 service, so the chooser shows only locks this key can open (api.md).
 */
export function lockRequestOptions(bleNames: readonly string[], service: string = IK1_SERVICE_UUID): RequestDeviceOptions {
  if (bleNames.length === 0) throw new RangeError('at least one lock name is needed');
  return {
    filters: [...new Set(bleNames)].map((name) => ({ services: [service], name })),
    optionalServices: [service],
  };
}

/**
 * Opens the browser's device chooser. Call it synchronously from the tap's handler: the user
 * activation it needs is spent by any await before it. Never throws synchronously.
 */
export function requestLockDevice(bluetooth: Bluetooth, bleNames: readonly string[], service?: string): Promise<BluetoothDevice> {
  try {
    return Promise.resolve(bluetooth.requestDevice(lockRequestOptions(bleNames, service)));
  } catch (error) {
    return Promise.reject(error);
  }
}
