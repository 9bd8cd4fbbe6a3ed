import { atom, type WritableAtom } from 'nanostores';
import type { BluetoothUnlockCode } from '../ble/unlock.ts';

/** A failed attempt's code: an abort is never shown, it resets to idle. */
export type UnlockFailureCode = Exclude<BluetoothUnlockCode, 'aborted'>;

/** The attempt's target when the guest chose "Unlock nearby door": any lock of the key. */
export const NEARBY = '*';

/** Quiet outcomes shown as a notice in `ready`, not as an error (api.md, section 3). */
export type UnlockNotice = 'ble_cancelled' | 'ble_unavailable';

/**
 * The current unlock attempt. One at a time per element: a second chooser cannot open while
 * the first is up, and IK1 forbids concurrent GATT operations anyway.
 */
/** `credentialId` is the tapped door's, or `NEARBY` until a lock has answered. */
export type UnlockValue =
  /** `credentialId`: the door a closed chooser was for, if one. */
  | { phase: 'idle'; notice?: UnlockNotice; credentialId?: string }
  | { phase: 'unlocking'; credentialId: string }
  | { phase: 'unlocked'; credentialId: string }
  | { phase: 'failed'; credentialId: string; code: UnlockFailureCode; message: string };

export type UnlockStore = WritableAtom<UnlockValue>;

export function createUnlockStore(): UnlockStore {
  return atom<UnlockValue>({ phase: 'idle' });
}

export function isUnlockBusy($unlock: UnlockStore): boolean {
  return $unlock.get().phase === 'unlocking';
}

/** Returns false (and changes nothing) when an attempt is already running. */
export function unlockStarted($unlock: UnlockStore, credentialId: string): boolean {
  if (isUnlockBusy($unlock)) return false;
  $unlock.set({ phase: 'unlocking', credentialId });
  return true;
}

export function unlockSucceeded($unlock: UnlockStore, credentialId: string): void {
  $unlock.set({ phase: 'unlocked', credentialId });
}

export function unlockFailed($unlock: UnlockStore, credentialId: string, code: UnlockFailureCode, message: string): void {
  $unlock.set({ phase: 'failed', credentialId, code, message });
}

/** Back to idle with a quiet notice (chooser closed, Bluetooth off). */
export function unlockNoticed($unlock: UnlockStore, notice: UnlockNotice, credentialId?: string): void {
  $unlock.set({ phase: 'idle', notice, ...(credentialId ? { credentialId } : {}) });
}

/** Back to idle, clearing any outcome and notice. */
export function unlockReset($unlock: UnlockStore): void {
  $unlock.set({ phase: 'idle' });
}

/** The adapter check at load: sets or clears the "turn on Bluetooth" notice when idle. */
export function adapterChecked($unlock: UnlockStore, available: boolean | undefined): void {
  const value = $unlock.get();
  if (value.phase !== 'idle') return;
  if (available === false) $unlock.set({ phase: 'idle', notice: 'ble_unavailable' });
  else if (value.notice === 'ble_unavailable') $unlock.set({ phase: 'idle' });
}
