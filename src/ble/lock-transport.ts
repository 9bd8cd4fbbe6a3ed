import type { Credential } from '../credentials/types.ts';
import type { BluetoothUnlockResult } from './unlock.ts';

/**
 * How an `<instant-key>` reaches its locks: Web Bluetooth by default (`web-bluetooth-locks.ts`),
 * the in-page virtual locks of `preview`, or a host's own (a native app lending its Bluetooth
 * to a WebView). The unlock controller talks to locks only through this.
 */
export interface LockTransport {
  /** Whether Bluetooth is usable now; `undefined` when the platform cannot tell. Never rejects. */
  availability(): Promise<boolean | undefined>;
  /** Calls `listener` when Bluetooth is turned on or off, until `signal` aborts. */
  watchAvailability(listener: (available: boolean) => void, signal: AbortSignal): void;
  /**
   * Credentials arrived: load what an unlock needs (before the first tap, while the network is
   * there) and follow the locks among `names` that can open without a chooser; `onNearby` when
   * one comes into range.
   */
  prepare(names: readonly string[], onNearby: () => void): void;
  /** Whether a lock among `names` is in range and opens with one tap. */
  inRange(names: readonly string[]): boolean;
  /**
   * Unlocks one lock among `credentials`' (the chooser picks which). Call it synchronously in
   * the tap's handler: a chooser needs the tap's user activation, which any await spends.
   * Never rejects: every failure is a typed result, an abort `{ code: 'aborted' }`.
   */
  unlock(credentials: readonly Credential[], signal: AbortSignal): Promise<BluetoothUnlockResult>;
  /** The element is gone: stop following locks. */
  stop(): void;
}
