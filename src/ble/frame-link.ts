import { TransportError, type FrameTransport } from '../protocol/transport.ts';
import { transportErrorCode, type LockLink, type TransportErrorCode } from './transport.ts';

/**
 * IK1 frames over any `LockLink`: `info` read, `control` written with response and read back
 * (protocol.md, "Framing"). Knows nothing of IK1 messages.
 *
 * Operations are queued so that two never run at once on one link, even when a caller gave
 * up on the previous one (an aborted step leaves its GATT operation pending in the stack, and
 * starting another would fail with "operation already in progress").
 */
export class LinkFrameTransport implements FrameTransport {
  readonly #link: LockLink;
  #tail: Promise<unknown> = Promise.resolve();
  #disconnected = false;
  #lastFailure: TransportErrorCode | undefined;
  readonly #onDisconnected = new Set<() => void>();
  readonly #unsubscribe: () => void;

  constructor(link: LockLink) {
    this.#link = link;
    this.#unsubscribe = link.onDisconnect(() => {
      this.#disconnected = true;
      for (const notify of this.#onDisconnected) notify();
    });
  }

  /**
   * The code of the last failed operation: the session reports every failure that is not a
   * drop as `ble_gatt_failed`, and the caller may want to tell a link's own timeout apart.
   */
  get lastFailure(): TransportErrorCode | undefined {
    return this.#lastFailure;
  }

  readInfo(signal: AbortSignal): Promise<Uint8Array> {
    return this.#op('read info', signal, () => this.#link.readInfo(signal));
  }

  writeFrame(frame: Uint8Array, signal: AbortSignal): Promise<void> {
    return this.#op('write control', signal, () => this.#link.writeControl(frame, signal));
  }

  readFrame(signal: AbortSignal): Promise<Uint8Array> {
    return this.#op('read control', signal, () => this.#link.readControl(signal));
  }

  /** Stops listening to the link; call once the session is over. */
  dispose(): void {
    this.#unsubscribe();
    this.#onDisconnected.clear();
  }

  #op<T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    const gated = this.#tail.then(() => {
      signal.throwIfAborted();
      if (this.#disconnected) throw disconnected(what);
      return run();
    });
    // The next operation waits for this one to settle, whatever the caller does.
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
    const code = transportErrorCode(error);
    if (code === 'ble_disconnected' || this.#disconnected) return disconnected(what);
    this.#lastFailure = code ?? 'ble_gatt_failed';
    return new TransportError('failed', `${what} failed (${code ?? 'unknown error'})`);
  }
}

function disconnected(what: string): TransportError {
  return new TransportError('disconnected', `The lock disconnected during ${what}`);
}

function noop(): void {}
