import type { ReactiveController, ReactiveElement } from 'lit';
import type { LockTransport } from '../ble/lock-transport.ts';
import type { BluetoothUnlockResult } from '../ble/unlock.ts';
import type { Credential } from '../credentials/types.ts';
import { ikEvent } from '../events.ts';
import {
  adapterChecked,
  isUnlockBusy,
  NEARBY,
  unlockFailed,
  unlockNoticed,
  unlockReset,
  unlockStarted,
  unlockSucceeded,
  type UnlockStore,
} from '../state/index.ts';

/** While the Bluetooth-off notice shows, Bluetooth is asked again this often. */
const AVAILABILITY_POLL_MS = 4000;
/** Set once this device has seen a chooser: the line announcing it is shown before that only. */
const CHOOSER_SEEN_KEY = 'instant-key:chooser-seen';
/** A short buzz on success, where the phone can and the guest has not asked for less motion. */
const SUCCESS_VIBRATION_MS = 60;

export interface UnlockOptions {
  $unlock: UnlockStore;
  /** The host's own transport (its `transport` property, or the preview's); else Web Bluetooth. */
  transport: () => LockTransport | undefined;
  /** The key's current credentials, to find a door by id. */
  credentials: () => readonly Credential[];
  /** Milliseconds `unlocked` shows before `ready` returns. */
  hold: () => number;
}

/**
 * Unlocking: one attempt at a time, through a `LockTransport` (the only way to the locks; the
 * browser's Web Bluetooth unless the host gives its own), with the Bluetooth-off notice and the
 * in-range doors. Writes `$unlock` and fires `ik-unlock` and `ik-error`. Part of the key view's
 * chunk: nothing can be unlocked before a key is shown.
 */
export class UnlockController implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #options: UnlockOptions;
  #abort: AbortController | undefined;
  #watch: AbortController | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #pollTimer: ReturnType<typeof setInterval> | undefined;
  #unlisten: (() => void) | undefined;
  /**
   * Whether to tell the guest, before the first chooser, that the phone will list nearby locks.
   * Read once: the line stays for this page's life, so taking it away never moves the doors.
   */
  readonly firstChooser = !stored(CHOOSER_SEEN_KEY);

  constructor(host: ReactiveElement, options: UnlockOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostConnected(): void {
    this.#watch = new AbortController();
    const { signal } = this.#watch;
    this.#transport()?.watchAvailability((available) => adapterChecked(this.#options.$unlock, available), signal);
    // Chromium never fires `availabilitychanged`: coming back to the page (from the settings,
    // say) asks again, and so does a timer while the notice shows.
    addEventListener('focus', this.#recheck, { signal });
    document.addEventListener('visibilitychange', this.#recheck, { signal });
    this.#unlisten = this.#options.$unlock.listen(this.#poll);
    this.#poll();
  }

  /** Asks the transport whether Bluetooth is on; the notice follows the answer. */
  readonly #recheck = (): void => {
    if (document.visibilityState === 'hidden' || !this.#options.credentials().length) return;
    void this.#transport()?.availability().then((available) => adapterChecked(this.#options.$unlock, available));
  };

  /** Runs the re-check timer exactly while the Bluetooth-off notice shows. */
  readonly #poll = (): void => {
    const value = this.#options.$unlock.get();
    const off = value.phase === 'idle' && value.notice === 'ble_unavailable';
    if (off && this.#pollTimer === undefined) this.#pollTimer = setInterval(this.#recheck, AVAILABILITY_POLL_MS);
    if (!off && this.#pollTimer !== undefined) {
      clearInterval(this.#pollTimer);
      this.#pollTimer = undefined;
    }
  };

  /** The way to the locks changed (Bluetooth appeared after all): watch the new one. */
  transportChanged(): void {
    this.#watch?.abort();
    this.hostConnected();
  }

  hostDisconnected(): void {
    this.#watch?.abort();
    this.#unlisten?.();
    clearInterval(this.#pollTimer);
    this.#pollTimer = undefined;
    queueMicrotask(() => {
      if (this.#host.isConnected) return;
      this.#transport()?.stop();
      // Releases the lock's connection; the `unlocked` hold timer may run out on its own.
      this.#abort?.abort();
    });
  }

  /** The way to the locks now: the host's, else this browser's Web Bluetooth, else none. */
  #transport(): LockTransport | undefined {
    return this.#options.transport();
  }

  /** New credentials: get ready for the first tap and say whether Bluetooth is on. */
  prepare(credentials: readonly Credential[]): void {
    const transport = this.#transport();
    if (!transport) return;
    transport.prepare(
      credentials.map((c) => c.lock.ble_name),
      () => this.#host.requestUpdate(),
    );
    void transport.availability().then((available) => adapterChecked(this.#options.$unlock, available), () => undefined);
  }

  /** Whether `credential`'s lock is in range and opens with one tap. */
  inRange(credential: Credential): boolean {
    return this.#transport()?.inRange([credential.lock.ble_name]) ?? false;
  }

  /**
   * A tap on a door's Unlock (`target` its credential id) or on "Unlock nearby door"
   * (`NEARBY`, any of `credentials`). Synchronous up to the transport's chooser. Only the
   * guest's own input counts (`event.isTrusted`): a click a page script made (`click()`,
   * `dispatchEvent`) does nothing, above all for a remembered lock in range, which opens with
   * no chooser to stop it.
   */
  tapped(event: Event, target: string, credentials: readonly Credential[]): void {
    const transport = this.#transport();
    const $unlock = this.#options.$unlock;
    if (!transport || isUnlockBusy($unlock) || !credentials.length || !event.isTrusted) return;
    clearTimeout(this.#holdTimer);
    unlockStarted($unlock, target);
    store(CHOOSER_SEEN_KEY);
    // Asked again as the attempt starts: a notice that turned stale does not come back after it.
    this.#recheck();
    const controller = new AbortController();
    this.#abort = controller;
    let running: Promise<BluetoothUnlockResult>;
    try {
      running = transport.unlock(credentials, controller.signal);
    } catch (error) {
      running = Promise.reject(error);
    }
    // Never rejects by contract; should it still, the guest gets an error, not a stuck `unlocking`.
    void running
      .catch((error: unknown): BluetoothUnlockResult => ({
        ok: false,
        code: 'ble_connect_failed',
        message: error instanceof Error ? error.message : 'Unexpected Bluetooth failure',
      }))
      .then((result) => {
        if (this.#abort === controller) this.#abort = undefined;
        this.#settle(target, result, controller.signal);
      });
  }

  /** "Try again" after a failure: the same door, or the nearby chooser again. */
  retry(event: Event, target: string): void {
    const all = this.#options.credentials();
    this.tapped(event, target, target === NEARBY ? all : all.filter((c) => c.credential_id === target));
  }

  /** "Back", or a new key: clears the outcome. */
  reset(): void {
    unlockReset(this.#options.$unlock);
  }

  #settle(target: string, result: BluetoothUnlockResult, signal: AbortSignal): void {
    const $unlock = this.#options.$unlock;
    if (result.ok) {
      unlockSucceeded($unlock, result.credentialId);
      if (!matchMedia('(prefers-reduced-motion: reduce)').matches) navigator.vibrate?.(SUCCESS_VIBRATION_MS);
      const credential = this.#options.credentials().find((c) => c.credential_id === result.credentialId);
      if (credential) this.#host.dispatchEvent(ikEvent('ik-unlock', { credential_id: result.credentialId, entrance: credential.entrance }));
      this.#holdTimer = setTimeout(() => {
        const now = $unlock.get();
        if (now.phase === 'unlocked' && now.credentialId === result.credentialId) unlockReset($unlock);
      }, this.#options.hold());
      return;
    }
    const { code, message } = result;
    if (code === 'aborted' || signal.aborted) {
      unlockReset($unlock);
      return;
    }
    // api.md: a closed chooser is back to ready; Bluetooth off is a notice until an unlock fails.
    if (code === 'ble_cancelled') unlockNoticed($unlock, code, target === NEARBY ? undefined : target);
    else unlockFailed($unlock, target, code, message);
    const credentialId = target === NEARBY ? result.credentialId : target;
    this.#host.dispatchEvent(ikEvent('ik-error', { code, message, ...(credentialId ? { credential_id: credentialId } : {}) }));
  }
}

function stored(key: string): boolean {
  try {
    return localStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

function store(key: string): void {
  try {
    localStorage.setItem(key, '1');
  } catch {
    // Storage off (private mode, policy): the line shows again next time, no harm done.
  }
}
