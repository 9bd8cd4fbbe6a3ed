import { TransportError, type FrameTransport } from '../protocol/transport.ts';
import { domErrorName } from './errors.ts';

/** The connected lock a transport talks to (see `connect.ts`). */
export interface GattLink {
  device: BluetoothDevice;
  info: BluetoothRemoteGATTCharacteristic;
  control: BluetoothRemoteGATTCharacteristic;
}

/**
 * IK1 frames over GATT: `info` read, `control` written with response and read back
 * (protocol.md, "Framing"). Knows nothing of IK1 messages.
 *
 * GATT operations are queued so that two never run at once on one device, even when a
 * caller gave up on the previous one (an aborted step leaves its GATT operation pending in
 * the browser, and starting another would fail with "operation already in progress").
 */
export class WebBluetoothTransport implements FrameTransport {
  readonly #link: GattLink;
  #tail: Promise<unknown> = Promise.resolve();
  #disconnected = false;
  readonly #onDisconnected = new Set<() => void>();
  readonly #handleDisconnect = (): void => {
    this.#disconnected = true;
    for (const notify of this.#onDisconnected) notify();
  };

  constructor(link: GattLink) {
    this.#link = link;
    link.device.addEventListener('gattserverdisconnected', this.#handleDisconnect);
  }

  readInfo(signal: AbortSignal): Promise<Uint8Array> {
    return this.#op('read info', signal, async () => toBytes(await this.#link.info.readValue()));
  }

  writeFrame(frame: Uint8Array, signal: AbortSignal): Promise<void> {
    return this.#op('write control', signal, () => this.#link.control.writeValueWithResponse(frame));
  }

  readFrame(signal: AbortSignal): Promise<Uint8Array> {
    return this.#op('read control', signal, async () => toBytes(await this.#link.control.readValue()));
  }

  /** Stops listening to the device; call once the session is over. */
  dispose(): void {
    this.#link.device.removeEventListener('gattserverdisconnected', this.#handleDisconnect);
    this.#onDisconnected.clear();
  }

  #op<T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const gated = this.#tail.then(() => {
      signal.throwIfAborted();
      if (this.#disconnected) throw disconnected(what);
      return run();
    });
    // The next operation waits for this one's GATT call to settle, whatever the caller does.
    this.#tail = gated.then(noop, noop);
    return this.#race(what, gated, signal);
  }

  /** Settles with the operation, or earlier on abort or disconnection. */
  #race<T>(what: string, op: Promise<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (error: unknown): void => {
        cleanup();
        reject(this.#mapError(what, error, signal));
      };
      const onAbort = (): void => fail(signal.reason);
      const onDisconnect = (): void => fail(disconnected(what));
      const cleanup = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.#onDisconnected.delete(onDisconnect);
      };
      if (signal.aborted) {
        fail(signal.reason);
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.#onDisconnected.add(onDisconnect);
      op.then((value) => {
        cleanup();
        resolve(value);
      }, fail);
    });
  }

  #mapError(what: string, error: unknown, signal: AbortSignal): unknown {
    // An abort is the caller's decision (superseded, step timeout): hand back its reason.
    if (signal.aborted) return signal.reason;
    if (error instanceof TransportError) return error;
    // Chromium rejects with NetworkError once the link is gone.
    if (domErrorName(error) === 'NetworkError' || this.#disconnected || this.#link.device.gatt?.connected === false) {
      return disconnected(what);
    }
    return new TransportError('failed', `GATT ${what} failed (${domErrorName(error) ?? 'unknown error'})`);
  }
}

function disconnected(what: string): TransportError {
  return new TransportError('disconnected', `The lock disconnected during ${what}`);
}

/** Copies a DataView's bytes: the browser may reuse the underlying buffer. */
function toBytes(view: DataView): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function noop(): void {}
