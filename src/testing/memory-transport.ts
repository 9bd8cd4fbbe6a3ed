import { TransportError, type FrameTransport } from '../protocol/transport.ts';
import { LockDisconnectedError, type LockConnection, type VirtualLock } from './virtual-lock.ts';

/** GATT operations a transport was asked for, to check the protocol's budget. */
export interface GattOperationCounts {
  infoReads: number;
  frameWrites: number;
  frameReads: number;
}

/**
 * A `FrameTransport` over one connection to a `VirtualLock`, in memory: for Node tests and the
 * in-page preview. Every call is one GATT operation and is counted, empty reads included.
 */
export class MemoryTransport implements FrameTransport {
  readonly lock: VirtualLock;
  readonly connection: LockConnection;
  readonly #counts: GattOperationCounts = { infoReads: 0, frameWrites: 0, frameReads: 0 };

  /** Connects to `lock` (a new BLE connection, so a new lock session). */
  constructor(lock: VirtualLock) {
    this.lock = lock;
    this.connection = lock.connect();
  }

  get counts(): Readonly<GattOperationCounts> {
    return { ...this.#counts };
  }

  /** All GATT operations so far. */
  get operations(): number {
    return this.#counts.infoReads + this.#counts.frameWrites + this.#counts.frameReads;
  }

  async readInfo(signal: AbortSignal): Promise<Uint8Array> {
    this.#counts.infoReads++;
    return this.#gatt(signal, () => {
      if (this.connection.closed) throw new LockDisconnectedError();
      return this.lock.info();
    });
  }

  async writeFrame(frame: Uint8Array, signal: AbortSignal): Promise<void> {
    this.#counts.frameWrites++;
    this.#gatt(signal, () => this.connection.writeFrame(frame));
  }

  async readFrame(signal: AbortSignal): Promise<Uint8Array> {
    this.#counts.frameReads++;
    return this.#gatt(signal, () => this.connection.readFrame());
  }

  /** Drops the link, as `gatt.disconnect()` does. */
  disconnect(): void {
    this.connection.close();
  }

  #gatt<T>(signal: AbortSignal, operation: () => T): T {
    signal.throwIfAborted();
    try {
      return operation();
    } catch (e) {
      if (e instanceof LockDisconnectedError) throw new TransportError('disconnected', e.message);
      throw new TransportError('failed', e instanceof Error ? e.message : String(e));
    }
  }
}
