/**
 * A chunk loaded once, on demand. A failed load (offline before it arrived) is tried again on
 * the next `load()`, not cached; `current` holds the module once it arrived, for code that
 * must not await (a render, a tap handler).
 */
export class Lazy<T> {
  current: T | undefined;
  readonly #import: () => Promise<T>;
  #loading: Promise<T> | undefined;

  constructor(load: () => Promise<T>) {
    this.#import = load;
  }

  load(): Promise<T> {
    return (this.#loading ??= this.#import().then(
      (module) => (this.current = module),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    ));
  }
}
