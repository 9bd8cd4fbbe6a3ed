/*
 * The element's `remember` mode (issue 14), as a chunk of its own: loaded only by pages that
 * opt in. It finds the key the page was opened with (a link token, or the `#k=` handle a
 * reload brings back), keeps each fresh answer sealed in the vault, and turns a link the
 * server refused for good into a marker.
 */
import type { KeyVault, SavedAnswer } from '../credentials/key-vault.ts';
import type { CredentialsResponse } from '../credentials/types.ts';
import { pageVault, type EndCode, type Vault } from './vault.ts';

/** What the page was opened with, and what the vault says about it. */
export type Recalled =
  /** Load this token; `handle` goes into the address bar. */
  | { kind: 'key'; token: string; handle: string }
  /** Ended before: say so, ask nothing. */
  | { kind: 'ended'; code: EndCode; handle: string }
  /** A `#k=` handle this browser does not hold (removed, another browser, storage cleared). */
  | { kind: 'missing' };

export class DeviceKeyVault implements KeyVault {
  /** Handles by token, for this element's lifetime. */
  readonly #handles = new Map<string, Promise<string>>();
  /** Writes in order, so a marker never lands under a later save. */
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly vault: Vault,
    /** The credential endpoint: records of one endpoint never open for another. */
    private readonly scope: string,
  ) {}

  /** The vault for `scope`, or undefined where this browser cannot keep keys safely. */
  static async open(scope: string): Promise<DeviceKeyVault | undefined> {
    const vault = await pageVault();
    return vault && new DeviceKeyVault(vault, scope);
  }

  /**
   * Finds what the page was opened with. A new token is kept at once (without an answer
   * yet), so a reload before the first answer still finds it.
   */
  async recall(opened: { token: string } | { handle: string }): Promise<Recalled> {
    if ('handle' in opened) {
      const entry = await this.vault.get(opened.handle, this.scope);
      if (!entry) return { kind: 'missing' };
      if (entry.kind === 'ended') return { kind: 'ended', code: entry.code, handle: opened.handle };
      this.#handles.set(entry.token, Promise.resolve(opened.handle));
      return { kind: 'key', token: entry.token, handle: opened.handle };
    }
    const handle = await this.#handle(opened.token);
    const entry = await this.vault.get(handle, this.scope);
    if (entry?.kind === 'ended') return { kind: 'ended', code: entry.code, handle };
    if (!entry) await this.#write(() => this.vault.saveKey(handle, this.scope, { token: opened.token }));
    return { kind: 'key', token: opened.token, handle };
  }

  async saved(token: string): Promise<SavedAnswer | undefined> {
    const entry = await this.vault.get(await this.#handle(token), this.scope);
    return entry?.kind === 'key' && entry.response !== undefined ? { body: entry.response, receivedAt: entry.savedAt ?? 0 } : undefined;
  }

  keep(token: string, data: CredentialsResponse): void {
    void this.#write(async () =>
      this.vault.saveKey(await this.#handle(token), this.scope, { token, response: data, savedAt: Date.now() }, Date.parse(data.instant_key.expires_at)),
    );
  }

  forget(token: string, code: EndCode): void {
    void this.#write(async () => this.vault.markEnded(await this.#handle(token), code));
  }

  /** "Remove this key from this phone". */
  remove(handle: string): Promise<void> {
    return this.#write(() => this.vault.remove(handle));
  }

  #handle(token: string): Promise<string> {
    let handle = this.#handles.get(token);
    if (!handle) this.#handles.set(token, (handle = this.vault.handleFor(token, this.scope)));
    return handle;
  }

  #write(job: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(job);
    // A failed write (storage full, profile closing) leaves the key working in this page.
    this.#writes = next.catch(() => undefined);
    return next;
  }
}
