import type { ReactiveControllerHost } from 'lit';
import { systemShare } from '../share.ts';

/** What the share area shows: the button alone, the fallback links, or "copied". */
export type ShareMode = false | 'links' | 'copied';

/**
 * "Share key": the system share sheet where there is one, else copy, SMS and email links.
 * What is shared is the Instant Key URL itself (see share.ts). Its state lives as long as the
 * element: it needs no lifecycle hooks.
 */
export class ShareController {
  #mode: ShareMode = false;
  readonly #host: ReactiveControllerHost;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  get mode(): ShareMode {
    return this.#mode;
  }

  /** The share button: opens the sheet, or toggles the fallback links. */
  async share(url: string, title: string): Promise<void> {
    if (this.#mode) return this.#set(false);
    if (!(await systemShare({ title, url }))) this.#set('links');
  }

  async copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this.#set('copied');
    } catch {
      // No clipboard (insecure page, permission): the SMS and email links remain.
    }
  }

  #set(mode: ShareMode): void {
    this.#mode = mode;
    this.#host.requestUpdate();
  }
}
