import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ReadableAtom } from 'nanostores';

/**
 * Re-renders a Lit host when a nanostores store changes, subscribed only while the host is
 * connected (the semantics of @nanostores/lit, without the dependency).
 */
export class StoreController<T> implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #store: ReadableAtom<T>;
  #unlisten: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, store: ReadableAtom<T>) {
    this.#host = host;
    this.#store = store;
    host.addController(this);
  }

  get value(): T {
    return this.#store.get();
  }

  hostConnected(): void {
    this.#unlisten?.();
    this.#unlisten = this.#store.listen(() => this.#host.requestUpdate());
    // The store may have changed while the host was away.
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
  }
}
