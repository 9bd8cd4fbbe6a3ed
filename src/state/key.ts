import { atom, type WritableAtom } from 'nanostores';
import type { UnsupportedReason } from '../ble/capabilities.ts';
import type { LoadErrorCode } from '../credentials/errors.ts';
import type { CredentialsResponse, Customization } from '../credentials/types.ts';

/**
 * Why the credentials shown are not a fresh answer: the last request found no network or
 * failed, or (`saved`) the key kept on this device is shown while a slow request is out.
 */
export type Stale = 'network_offline' | 'network_error' | 'saved';

/** The link's status and, once loaded, its credentials. One store per element. */
export type KeyValue =
  | { status: 'idle' }
  | { status: 'unsupported'; reason: UnsupportedReason }
  | { status: 'loading' }
  /** `stale`: not a fresh answer (see `Stale`); its tickets still work offline until they expire. */
  | { status: 'loaded'; data: CredentialsResponse; stale?: Stale }
  /**
   * `customization`: the issuer's, from the last answer, for its support contact.
   * `forgotten`: a key kept on this device was removed by the guest, or is not there.
   */
  | { status: 'failed'; code: LoadErrorCode; message: string; customization?: Customization; forgotten?: Forgotten };

export type KeyStore = WritableAtom<KeyValue>;
export type Forgotten = 'removed' | 'missing';

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

export function keyFailed($key: KeyStore, code: LoadErrorCode, message: string, forgotten?: Forgotten): void {
  const before = $key.get();
  if (before.status === 'unsupported') return;
  const customization = before.status === 'loaded' ? before.data.instant_key.customization : before.status === 'failed' ? before.customization : undefined;
  $key.set({ status: 'failed', code, message, ...(customization ? { customization } : {}), ...(forgotten ? { forgotten } : {}) });
}

/** Marks the credentials on screen as not fresh. */
export function keyStale($key: KeyStore, stale: Stale): void {
  const value = $key.get();
  if (value.status === 'loaded') $key.set({ ...value, stale });
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
