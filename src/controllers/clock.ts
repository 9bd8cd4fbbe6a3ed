import type { ReactiveController, ReactiveElement } from 'lit';

const MINUTE_MS = 60_000;

/**
 * Re-renders at each new minute while something shown depends on the time of day (an
 * amenity's "Closed now"), so it changes when the hours do, not at the next refresh.
 */
export class ClockController implements ReactiveController {
  readonly #host: ReactiveElement;
  readonly #needed: () => boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveElement, needed: () => boolean) {
    this.#host = host;
    this.#needed = needed;
    host.addController(this);
  }

  hostUpdated(): void {
    clearTimeout(this.#timer);
    if (this.#needed()) this.#timer = setTimeout(() => this.#host.requestUpdate(), MINUTE_MS - (Date.now() % MINUTE_MS));
  }

  hostDisconnected(): void {
    clearTimeout(this.#timer);
  }
}
