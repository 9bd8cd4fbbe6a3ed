/*
 * The element's Bluetooth, behind a small interface: Web Bluetooth is one implementation
 * (./web-bluetooth.ts), the native bridge another (./bridge/), and a host page may hand in
 * its own (the element's `transport` property), e.g. over a Capacitor plugin.
 *
 * Nothing crosses this interface as a class: errors are any thrown value with a `code` from
 * `TransportErrorCode`, so a transport bundled with its own copy of this package (or written
 * without it) is understood all the same.
 */

/**
 * Why a transport call failed, as the `code` of whatever it rejects with
 * (`Object.assign(new Error(message), { code })` is enough):
 * - `ble_cancelled`: the guest closed the picker, or no lock was chosen in time;
 * - `ble_unavailable`: no adapter, Bluetooth off, or not allowed (permission, policy);
 * - `ble_connect_failed`: the lock could not be reached or lacks the IK1 service;
 * - `ble_timeout`: the lock or the stack did not answer in time;
 * - `ble_disconnected`: the link dropped;
 * - `ble_gatt_failed`: a read or write failed on a live link.
 *
 * A rejection without one of these codes counts as `ble_connect_failed` from `chooseLock` and
 * `connect`, and as `ble_gatt_failed` from a link's reads and writes.
 */
export type TransportErrorCode =
  | 'ble_cancelled'
  | 'ble_unavailable'
  | 'ble_connect_failed'
  | 'ble_timeout'
  | 'ble_disconnected'
  | 'ble_gatt_failed';

/** What `chooseLock` is asked for: a lock advertising one of `names` and offering `service`. */
export interface LockRequest {
  /** BLE local names of the locks this key may open (at least one, no duplicates). */
  readonly names: readonly string[];
  /** The IK1 GATT service UUID, lower case. */
  readonly service: string;
  /** Aborted when the element no longer wants a lock (it was removed): close any picker. */
  readonly signal?: AbortSignal;
}

/** A lock `chooseLock` returned: opaque to the element, handed back to `connect`. */
export interface ChosenLock {
  /** Its advertised name, when known. */
  readonly name?: string | null;
}

/**
 * The element's Bluetooth. Only `availability`, `chooseLock` and `connect` are required.
 *
 * ```ts
 * el.transport = {
 *   availability: async () => true,
 *   chooseLock: ({ names, service }) => native.scanFor(names, service),
 *   connect: async (lock, { signal }) => native.connect(lock, signal),
 * };
 * ```
 */
export interface BluetoothTransport {
  /** Whether Bluetooth is on and allowed; `undefined` when the platform cannot tell. Never rejects. */
  availability(): Promise<boolean | undefined>;
  /** Calls `listener` when Bluetooth is turned on or off; returns the unsubscribe function. */
  onAvailabilityChange?(listener: (available: boolean) => void): () => void;
  /**
   * Finds one lock for `request`: a system picker, or the one matching lock in range. Called
   * synchronously in the guest's tap, so a picker that needs a user activation (Web Bluetooth)
   * gets it; must not return a lock whose name is not in `names`.
   */
  chooseLock(request: LockRequest): Promise<ChosenLock>;
  /**
   * Connects to `lock` and finds the IK1 service with its `info` and `control`
   * characteristics. `timeoutMs` bounds each step (connecting, discovery). When `signal`
   * aborts, stop and release the connection; reject with the signal's reason.
   */
  connect(lock: ChosenLock, options: { signal: AbortSignal; timeoutMs: number }): Promise<LockLink>;
  /** Optional: follows locks among `names` reachable without a picker; `onChange` when one comes in range. Returns stop. */
  watchNearby?(names: readonly string[], onChange: () => void): () => void;
  /** Optional: whether the lock named `name` was heard recently (then `chooseLock` opens it without a picker). */
  inRange?(name: string): boolean;
}

/**
 * One connection to a lock. The element runs one operation at a time and gives each a
 * timeout; when it gives up on one it aborts that call's signal.
 */
export interface LockLink {
  /** Reads `info`. */
  readInfo(signal: AbortSignal): Promise<Uint8Array>;
  /** Writes one frame to `control`, with response. */
  writeControl(value: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Reads `control` once (an empty value while the lock's reply is not ready). */
  readControl(signal: AbortSignal): Promise<Uint8Array>;
  /** Calls `listener` once when the link drops; returns the unsubscribe function. */
  onDisconnect(listener: () => void): () => void;
  /** Disconnects. Must not throw; the element never awaits it. */
  disconnect(): void;
}

/** An Error carrying a transport code, for implementations of the interface above. */
export function transportError(code: TransportErrorCode, message: string, cause?: unknown): Error & { code: TransportErrorCode } {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

const CODES: readonly string[] = ['ble_cancelled', 'ble_unavailable', 'ble_connect_failed', 'ble_timeout', 'ble_disconnected', 'ble_gatt_failed'];

/** The transport code a thrown value carries, if any. */
export function transportErrorCode(error: unknown): TransportErrorCode | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && CODES.includes(code) ? (code as TransportErrorCode) : undefined;
}
