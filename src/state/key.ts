import { atom, type WritableAtom } from 'nanostores';
import type { UnsupportedReason } from '../ble/capabilities.ts';
import type { LoadErrorCode } from '../credentials/errors.ts';
import type { CredentialsResponse } from '../credentials/types.ts';

/** The link's status and, once loaded, its credentials. One store per element. */
export type KeyValue =
  | { status: 'idle' }
  | { status: 'unsupported'; reason: UnsupportedReason }
  | { status: 'loading' }
  /** `stale`: the last refresh failed on the network; these credentials still work offline. */
  | { status: 'loaded'; data: CredentialsResponse; stale?: 'network_offline' | 'network_error' }
  | { status: 'failed'; code: LoadErrorCode; message: string };

export type KeyStore = WritableAtom<KeyValue>;

export function createKeyStore(): KeyStore {
  return atom<KeyValue>({ status: 'idle' });
}

/** Decided before any request and final: nothing else may replace it. */
export function keyUnsupported($key: KeyStore, reason: UnsupportedReason): void {
  $key.set({ status: 'unsupported', reason });
}

/** Bluetooth appeared after all (a polyfill or a bridge injected late): the only way out of `unsupported`. */
export function keySupportedAfterAll($key: KeyStore): void {
  if ($key.get().status === 'unsupported') $key.set({ status: 'idle' });
}

export function keyLoading($key: KeyStore): void {
  if ($key.get().status === 'unsupported') return;
  $key.set({ status: 'loading' });
}

export function keyLoaded($key: KeyStore, data: CredentialsResponse): void {
  if ($key.get().status === 'unsupported') return;
  $key.set({ status: 'loaded', data });
}

export function keyFailed($key: KeyStore, code: LoadErrorCode, message: string): void {
  if ($key.get().status === 'unsupported') return;
  $key.set({ status: 'failed', code, message });
}

/**
 * A background refresh failed. A network failure keeps the last good credentials (marked
 * stale: tickets work offline until they expire); a verdict on the link itself replaces them.
 */
export function keyRefreshFailed($key: KeyStore, code: LoadErrorCode, message: string): void {
  const value = $key.get();
  if (value.status === 'loaded' && (code === 'network_offline' || code === 'network_error')) {
    $key.set({ ...value, stale: code });
  } else {
    keyFailed($key, code, message);
  }
}
