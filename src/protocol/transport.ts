/**
 * What the unlock session needs from a connected lock: the transport knows GATT, not the protocol.
 * The Web Bluetooth transport (src/ble/) and the tests' in-memory transports implement it.
 * Each call is one GATT operation; the session never runs two at once. When the session gives
 * up on a call (its step timed out, or the caller aborted) it aborts that call's signal and
 * issues no further call: the transport should stop on abort, and the caller must disconnect.
 */
export interface FrameTransport {
  /** Reads the `info` characteristic. */
  readInfo(signal: AbortSignal): Promise<Uint8Array>;
  /** Writes one frame to `control` with response. */
  writeFrame(frame: Uint8Array, signal: AbortSignal): Promise<void>;
  /** Reads `control` once: the next reply frame, or an empty value when it is not ready yet. */
  readFrame(signal: AbortSignal): Promise<Uint8Array>;
}

/** Why a transport operation failed, as the session reports it. */
export type TransportFailure = 'disconnected' | 'failed';

/** Thrown by a transport: the link dropped (`disconnected`) or the GATT operation failed. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly kind: TransportFailure,
    message: string,
  ) {
    super(message);
  }
}
