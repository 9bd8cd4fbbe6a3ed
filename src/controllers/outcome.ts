import type { ReactiveController, ReactiveElement } from 'lit';
import { NEARBY, type UnlockStore, type UnlockValue } from '../state/index.ts';

/**
 * Puts each unlock outcome where the guest is looking: a failure's message is scrolled into
 * view and takes focus; "Back" (or "Try again") returns focus to the door's button; a success
 * keeps its door in view. Works on the rendered DOM, after each update.
 */
export class OutcomeController implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #$unlock: UnlockStore;
  #last: UnlockValue;
  #focusDoor: string | undefined;

  constructor(host: ReactiveElement, $unlock: UnlockStore) {
    this.#host = host;
    this.#$unlock = $unlock;
    this.#last = $unlock.get();
    host.addController(this);
  }

  /** After the next render, focus goes to `target`'s button (a credential id, or `NEARBY`). */
  returnTo(target: string): void {
    this.#focusDoor = target;
  }

  hostUpdated(): void {
    const now = this.#$unlock.get();
    const before = this.#last;
    this.#last = now;
    const root = this.#host.renderRoot as ShadowRoot;
    const block: ScrollIntoViewOptions = { block: 'nearest', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' };
    if (this.#focusDoor !== undefined) {
      const id = this.#focusDoor;
      this.#focusDoor = undefined;
      const selector = id === NEARBY ? '[part~="nearby-button"]' : `[data-credential-id="${CSS.escape(id)}"] [part~="unlock-button"]`;
      root.querySelector<HTMLElement>(selector)?.focus();
    }
    if (now !== before && now.phase === 'failed') {
      const message = root.querySelector<HTMLElement>('[part~="message"]');
      message?.scrollIntoView(block);
      message?.focus({ preventScroll: true });
    } else if (now.phase === 'unlocked' && before.phase !== 'unlocked') {
      root.querySelector(`[data-credential-id="${CSS.escape(now.credentialId)}"]`)?.scrollIntoView(block);
    }
  }
}
