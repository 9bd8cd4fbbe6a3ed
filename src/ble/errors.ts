/** Bluetooth failures outside the IK1 exchange (api.md, section 3, error codes). */
export const BleErrorCode = {
  /** The guest closed the device chooser. A quiet notice, not an error state. */
  CANCELLED: 'ble_cancelled',
  /** No adapter, adapter off, or Bluetooth blocked (permissions policy, no user activation). */
  UNAVAILABLE: 'ble_unavailable',
  CONNECT_FAILED: 'ble_connect_failed',
  TIMEOUT: 'ble_timeout',
  DISCONNECTED: 'ble_disconnected',
  /** A read or write failed on a live link. */
  GATT_FAILED: 'ble_gatt_failed',
} as const;
export type BleErrorCode = (typeof BleErrorCode)[keyof typeof BleErrorCode];

export class BleError extends Error {
  override readonly name = 'BleError';
  constructor(
    readonly code: BleErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The DOMException name of an error, if it has one (Web Bluetooth rejects with those). */
export function domErrorName(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return undefined;
}
