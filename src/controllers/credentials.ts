import { initialState, Task } from '@lit/task';
import type { ReactiveController, ReactiveElement } from 'lit';
import { domErrorName } from '../ble/errors.ts';
import { CredentialsError, type LoadErrorCode } from '../credentials/errors.ts';
import type { KeyVault, SavedAnswer } from '../credentials/key-vault.ts';
import type { CredentialsResolver, CredentialsResponse } from '../credentials/types.ts';
import { ikEvent, toPublicCredential } from '../events.ts';
import { chunkHint, hint } from '../hints.ts';
import { keyFailed, keyLoaded, keyLoading, keyRefreshFailed, keyStale, refreshDelayMs, ticketsHalfLife, type KeyStore, type Stale } from '../state/index.ts';

/** A first request slower than this shows the key saved on this device meanwhile (issue 14). */
export const SAVED_AFTER_MS = 3000;
/** Coming back to the page refreshes only when the last answer is older than this. */
const VISIBLE_REFRESH_MS = 30_000;

/** What one load asks: the link token and who answers for it. */
/** What the credentials controller needs of the key view's chunk. */
export interface KeyViewCode {
  validateCredentialsResponse(raw: unknown): CredentialsResponse;
}

export interface CredentialsRequest {
  token: string;
  resolver: CredentialsResolver;
}

export interface CredentialsOptions {
  $key: KeyStore;
  /** What a load depends on: when any of it changes, a new first load starts. */
  inputs: () => unknown[];
  /** The request for the current inputs; throws a `CredentialsError` when none can be made. */
  request: () => CredentialsRequest;
  /** False when the page cannot unlock: nothing is requested (no device spent on a dead end). */
  enabled: () => boolean;
  /** A first load (or a retry) starts: any unlock outcome on screen belongs to the old key. */
  onReset: () => void;
  /** Credentials arrived or changed. */
  onCredentials: (data: CredentialsResponse) => void;
  /**
   * Resolves once the code that shows an answer is in memory (the key view's chunk). Started
   * with each request, awaited before its answer is shown; a rejection fails the load.
   */
  /** The key view's code, loaded alongside the first request; it brings the response validator. */
  viewReady: () => Promise<KeyViewCode>;
}

/**
 * Loads the key's credentials and keeps them current (api.md, section 2). The request runs
 * through a `Task`, which aborts a superseded run and drops its result. Refreshes follow
 * `refreshDelayMs`, revalidate (ETag) until the tickets' half-life and ask for fresh tickets
 * after it; one that finds no network keeps the last answer, marked stale. Writes `$key` and
 * fires `ik-credentials` and, for load failures, `ik-error`.
 */
export class CredentialsController implements ReactiveController {
  /** Where saved answers come from and fresh ones go (see `KeyVault`); none by default. */
  vault: KeyVault | undefined;

  readonly #host: ReactiveElement;
  readonly #options: CredentialsOptions;
  readonly #task: Task<unknown[], CredentialsResponse>;
  /** The next run is a background refresh: it keeps what is on screen. */
  #refreshing = false;
  #loadedAt = 0;
  #lastRaw: unknown;
  /** The response validator, from the key view's chunk (it keeps the script-tag file small). */
  #validate: KeyViewCode['validateCredentialsResponse'] | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ReactiveElement, options: CredentialsOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    this.#task = new Task(host, { task: (_inputs, { signal }) => this.#load(signal), args: options.inputs });
  }

  /** Loads again from scratch, showing `loading` (the guest's "Try again"). */
  retry(): void {
    this.#run(false);
  }

  /** Fetches in the background, keeping the key on screen. */
  refresh(): void {
    this.#run(true);
  }

  hostConnected(): void {
    addEventListener('online', this.#onBack);
    document.addEventListener('visibilitychange', this.#onBack);
    // Reattached after a removal: pick up where it stopped.
    if (!this.#host.hasUpdated) return;
    const key = this.#options.$key.get();
    if (key.status === 'loaded') this.#schedule();
    else if (key.status === 'loading') this.retry();
  }

  hostDisconnected(): void {
    removeEventListener('online', this.#onBack);
    document.removeEventListener('visibilitychange', this.#onBack);
    // A move within the page disconnects and reconnects at once: stop only on a real removal.
    queueMicrotask(() => {
      if (this.#host.isConnected) return;
      this.#task.abort();
      clearTimeout(this.#timer);
    });
  }

  #run(refresh: boolean): void {
    // Read by the task function, which `run` calls before its first await.
    this.#refreshing = refresh;
    void this.#task.run();
  }

  async #load(signal: AbortSignal): Promise<CredentialsResponse | typeof initialState> {
    const refresh = this.#refreshing;
    this.#refreshing = false;
    clearTimeout(this.#timer);
    if (!this.#options.enabled()) return initialState;
    const $key = this.#options.$key;
    if (!refresh) {
      keyLoading($key);
      this.#options.onReset();
    }
    const before = $key.get();
    let token = '';
    let saved: Promise<SavedAnswer | undefined> | undefined;
    let grace: ReturnType<typeof setTimeout> | undefined;
    try {
      const request = this.#options.request();
      token = request.token;
      const view = this.#viewReady();
      if (!refresh && this.vault) [saved, grace] = this.#offerSaved(this.vault, token, view, signal);
      // Fresh tickets once half their life is spent (api.md: then no If-None-Match).
      const revalidate = before.status === 'loaded' && Date.now() < ticketsHalfLife(before.data, this.#loadedAt);
      const raw = await request.resolver(token, { signal, revalidate });
      await view;
      signal.throwIfAborted();
      const data = this.#accept(raw, Date.now());
      this.vault?.keep(token, data);
      return data;
    } catch (error) {
      // Superseded or removed: the next run (if any) owns the state.
      if (signal.aborted || domErrorName(error) === 'AbortError') return initialState;
      // No network on a first load: the key saved on this device, at once (issue 14).
      const offline = saved && error instanceof CredentialsError && error.code.startsWith('network') && error;
      const shown = offline && this.#showSaved(await saved, signal, offline.code as Stale);
      if (shown) {
        this.#host.dispatchEvent(ikEvent('ik-error', { code: offline.code as Stale & LoadErrorCode, message: offline.message }));
        return shown;
      }
      this.#failed(error, token);
      throw error;
    } finally {
      // Settled: the saved answer is no longer wanted for this load.
      clearTimeout(grace);
      if (!signal.aborted) this.#schedule();
    }
  }

  /** Stops loading and refreshing for good (the key was removed from this device). */
  stop(): void {
    this.#task.abort();
    clearTimeout(this.#timer);
  }

  /** Validates an answer (a host resolver's too) and shows it if it changed. */
  #accept(raw: unknown, receivedAt: number): CredentialsResponse {
    // Set once the view arrived, which every caller awaits first.
    const data = this.#validate!(raw);
    const $key = this.#options.$key;
    const shown = $key.get();
    this.#loadedAt = receivedAt;
    const changed = raw !== this.#lastRaw || shown.status !== 'loaded';
    this.#lastRaw = raw;
    if (changed || (shown.status === 'loaded' && shown.stale)) keyLoaded($key, data);
    if (changed) {
      this.#host.dispatchEvent(ikEvent('ik-credentials', data.credentials.map(toPublicCredential)));
      this.#options.onCredentials(data);
    }
    return data;
  }

  /** The view's code, loading alongside the request; its failure is a load failure. */
  #viewReady(): Promise<KeyViewCode> {
    const ready = this.#options.viewReady().then((code) => ((this.#validate = code.validateCredentialsResponse), code)).catch((error: unknown) => {
      chunkHint('The key view (instant-key-key-*.js)');
      throw new CredentialsError('load_failed', 'A part of the element could not be loaded', { cause: error });
    });
    // Awaited only once the request answered; until then a rejection is not yet anyone's.
    ready.catch(() => undefined);
    return ready;
  }

  /**
   * Reads the vault's saved answer alongside the request, and shows it if the request is
   * still out after `SAVED_AFTER_MS` (a fast network wins: no flash of old doors); returns it
   * and that timer, which the load clears once it settles.
   */
  #offerSaved(vault: KeyVault, token: string, view: Promise<unknown>, signal: AbortSignal): [Promise<SavedAnswer | undefined>, ReturnType<typeof setTimeout>] {
    // Never rejects: a vault that fails has nothing saved, and a view that fails fails the load.
    const saved = Promise.all([vault.saved(token, signal), view]).then(([answer]) => answer, () => undefined);
    return [saved, setTimeout(() => void saved.then((answer) => this.#showSaved(answer, signal, 'saved')), SAVED_AFTER_MS)];
  }

  /**
   * Shows a saved answer marked with why it is not fresh, unless a newer one is there; a
   * broken or outdated saved answer is no answer (the request still decides).
   */
  #showSaved(answer: SavedAnswer | undefined, signal: AbortSignal, stale: Stale): CredentialsResponse | undefined {
    const $key = this.#options.$key;
    if (!answer || signal.aborted || $key.get().status !== 'loading') return undefined;
    try {
      const data = this.#accept(answer.body, answer.receivedAt);
      keyStale($key, stale);
      return data;
    } catch {
      return undefined;
    }
  }

  #failed(error: unknown, token: string): void {
    let code: LoadErrorCode = 'network_error';
    let message = 'The credentials could not be loaded';
    if (error instanceof CredentialsError) {
      message = error.message;
      if (error.code === 'response_invalid') {
        // Integrators need the field list; it names fields, never values.
        hint(error.message);
      } else {
        code = error.code;
      }
    }
    const $key = this.#options.$key;
    // Keys on screen stay usable when only the network failed (see keyRefreshFailed).
    if ($key.get().status === 'loaded') keyRefreshFailed($key, code, message);
    else keyFailed($key, code, message);
    if (token && (code === 'link_expired' || code === 'link_revoked' || code === 'link_invalid')) this.vault?.forget(token, code);
    this.#host.dispatchEvent(ikEvent('ik-error', { code, message }));
  }

  /** The next background refresh, while the key is shown or only the network failed. */
  #schedule(): void {
    clearTimeout(this.#timer);
    const key = this.#options.$key.get();
    if (!this.#host.isConnected || key.status !== 'loaded') return;
    this.#timer = setTimeout(() => this.refresh(), refreshDelayMs(key.data, this.#loadedAt, Date.now()));
  }

  /** Back online, or the page shown again: refresh now if there is something to refresh. */
  readonly #onBack = (event: Event): void => {
    if (document.visibilityState === 'hidden') return;
    const key = this.#options.$key.get();
    if (key.status === 'loaded') {
      if (event.type === 'online' || Date.now() - this.#loadedAt > VISIBLE_REFRESH_MS) this.refresh();
    } else if (key.status === 'failed' && key.code.startsWith('network') && event.type === 'online') {
      this.retry();
    }
  };
}
