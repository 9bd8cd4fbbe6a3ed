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

export interface UnlockOptions {
  $unlock: UnlockStore;
  /** The transport in use now (`undefined`: this page cannot reach locks). */
  transport: () => LockTransport | undefined;
  /** The key's current credentials, to find a door by id. */
  credentials: () => readonly Credential[];
  /** Milliseconds `unlocked` shows before `ready` returns. */
  hold: () => number;
}

/**
 * Unlocking: one attempt at a time, through the element's `LockTransport` (the only way to the
 * locks), with the Bluetooth-off notice and the in-range doors. Writes `$unlock` and fires
 * `ik-unlock` and `ik-error`.
 */
export class UnlockController implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #options: UnlockOptions;
  #abort: AbortController | undefined;
  #watch: AbortController | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveElement, options: UnlockOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostConnected(): void {
    this.#watch = new AbortController();
    this.#options.transport()?.watchAvailability((available) => adapterChecked(this.#options.$unlock, available), this.#watch.signal);
  }

  hostDisconnected(): void {
    this.#watch?.abort();
    queueMicrotask(() => {
      if (this.#host.isConnected) return;
      this.#options.transport()?.stop();
      // Releases the lock's connection; the `unlocked` hold timer may run out on its own.
      this.#abort?.abort();
    });
  }

  /** New credentials: get ready for the first tap and say whether Bluetooth is on. */
  prepare(credentials: readonly Credential[]): void {
    const transport = this.#options.transport();
    if (!transport) return;
    transport.prepare(
      credentials.map((c) => c.lock.ble_name),
      () => this.#host.requestUpdate(),
    );
    void transport.availability().then((available) => adapterChecked(this.#options.$unlock, available));
  }

  /** Whether `credential`'s lock is in range and opens with one tap. */
  inRange(credential: Credential): boolean {
    return this.#options.transport()?.inRange([credential.lock.ble_name]) ?? false;
  }

  /**
   * A tap on a door's Unlock (`target` its credential id) or on "Unlock nearby door"
   * (`NEARBY`, any of `credentials`). Synchronous up to the transport's chooser. Only the
   * guest's own input counts (`event.isTrusted`): a click a page script made (`click()`,
   * `dispatchEvent`) does nothing, above all for a remembered lock in range, which opens with
   * no chooser to stop it.
   */
  tapped(event: Event, target: string, credentials: readonly Credential[]): void {
    const transport = this.#options.transport();
    const $unlock = this.#options.$unlock;
    if (!transport || isUnlockBusy($unlock) || !credentials.length || !event.isTrusted) return;
    clearTimeout(this.#holdTimer);
    unlockStarted($unlock, target);
    const controller = new AbortController();
    this.#abort = controller;
    void transport.unlock(credentials, controller.signal).then((result) => {
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
    if (code === 'ble_cancelled') unlockNoticed($unlock, code);
    else unlockFailed($unlock, target, code, message);
    const credentialId = target === NEARBY ? result.credentialId : target;
    this.#host.dispatchEvent(ikEvent('ik-error', { code, message, ...(credentialId ? { credential_id: credentialId } : {}) }));
  }
}
