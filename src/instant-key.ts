import { Task, initialState } from '@lit/task';
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { adapterAvailable, detectSupport, type Support } from './ble/capabilities.ts';
import { requestLockDevice } from './ble/connect.ts';
import { domErrorName } from './ble/errors.ts';
import { unlockViaBluetooth, type BluetoothUnlockResult } from './ble/unlock.ts';
import { CredentialsError, type LoadErrorCode } from './credentials/errors.ts';
import { createHttpResolver, resolveEndpoint } from './credentials/http-resolver.ts';
import type { Credential, CredentialsResolver, CredentialsResponse } from './credentials/types.ts';
import { toPublicCredential, toUnlockCredential } from './credentials/unlock-credential.ts';
import { validateCredentialsResponse } from './credentials/validate.ts';
import { ikEvent } from './events.ts';
import { dateLocaleFor, formatDateTime, msg, resolveLocale, type MessageKey } from './i18n/index.ts';
import { claimFragmentToken } from './link-token.ts';
import {
  adapterChecked,
  createKeyState,
  keyFailed,
  keyLoaded,
  keyLoading,
  keyUnsupported,
  StoreController,
  unlockFailed,
  unlockNoticed,
  unlockReset,
  unlockStarted,
  unlockSucceeded,
  isUnlockBusy,
  type ElementState,
  type KeyState,
  type KeyValue,
  type UnlockValue,
} from './state/index.ts';
import { styles } from './instant-key.styles.ts';

/** How long `unlocked` shows before the element returns to `ready`. */
const UNLOCKED_HOLD_MS = 4000;

/**
 * Unlocks the doors of an Instant Key link over Web Bluetooth (IK1).
 *
 * @summary A guest's mobile key: lists the doors the link opens and unlocks them over Bluetooth.
 *
 * @attr token - The link token (`ik_…`). When absent, taken from the page URL's `#ik_…`
 *   fragment, which is then removed from the address bar.
 * @attr endpoint - Base URL of the credential endpoint; empty or absent means the page's origin.
 * @attr lang - Language of the element's text (BCP 47); defaults to the document's, then the browser's.
 * @attr state - Reflected, read-only: `loading`, `ready`, `unlocking`, `unlocked`, `error`,
 *   `unsupported`, `expired` or `revoked`.
 *
 * @fires ik-credentials - Credentials loaded; `detail` is the credential list without tickets or keys.
 * @fires ik-unlock - A lock confirmed the unlock; `detail: { credential_id, entrance }`.
 * @fires ik-error - Something failed; `detail: { code, message, credential_id? }`. Also fired
 *   for the quiet outcomes `ble_cancelled` and `ble_unavailable`, which leave `state` at `ready`.
 * @fires ik-unsupported - No Web Bluetooth here, decided before any request; `detail: { reason }`.
 *
 * @csspart base - The wrapper of everything visible.
 * @csspart header - Greeting and key validity.
 * @csspart entrances - The list of doors.
 * @csspart entrance - One door's row; carries `data-entrance-id` and `data-credential-id`.
 * @csspart unlock-button - A door's Unlock button.
 * @csspart upcoming - The list of doors whose access starts later.
 * @csspart notice - A quiet notice (chooser closed, Bluetooth off); carries `data-code`.
 * @csspart message - The explanation shown in `error`, `unsupported`, `expired`, `revoked`; carries `data-code`.
 * @csspart retry-button - Tries the failed action again.
 * @csspart back-button - Dismisses an unlock error.
 *
 * @cssproperty --ik-primary - Buttons and accents; defaults to the issuer's brand colour.
 * @cssproperty --ik-on-primary - Text on `--ik-primary`.
 * @cssproperty --ik-surface - Background.
 * @cssproperty --ik-text - Text colour.
 * @cssproperty --ik-muted - Secondary text colour.
 * @cssproperty --ik-danger - Error accents.
 * @cssproperty --ik-radius - Corner radius.
 * @cssproperty --ik-font-family - Font family.
 */
export class InstantKeyElement extends LitElement {
  static override properties = {
    token: { type: String },
    endpoint: { type: String },
    resolver: { attribute: false },
    state: { type: String, reflect: true },
  };

  static override styles = styles;

  // `lang` stays the native HTMLElement property; only its attribute is observed.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  /** The link token. Falls back to the URL fragment when empty. */
  declare token: string | undefined;
  /** Credential endpoint base URL; empty means `location.origin`. */
  declare endpoint: string | undefined;
  /** Replaces the HTTP call, for hosts with their own backend. */
  declare resolver: CredentialsResolver | undefined;
  /** Reflected state; set by the element, not by the host. */
  declare state: ElementState;

  readonly #state: KeyState;
  readonly #key: StoreController<KeyValue>;
  readonly #unlock: StoreController<UnlockValue>;
  readonly #load: Task<readonly [string, string | undefined, CredentialsResolver | undefined, boolean], CredentialsResponse>;
  #support: Support | undefined;
  #fragmentToken: string | undefined;
  #unsupportedAnnounced = false;
  /** Set when a removal aborted the credential request, so a reattach loads again. */
  #loadAbortedByRemoval = false;
  #unlockAbort: AbortController | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.token = undefined;
    this.endpoint = undefined;
    this.resolver = undefined;
    this.state = 'loading';
    this.#state = createKeyState();
    this.#key = new StoreController(this, this.#state.$key);
    this.#unlock = new StoreController(this, this.#state.$unlock);
    this.#load = new Task(this, {
      task: ([token, endpoint, resolver, supported], { signal }) => this.#fetchCredentials(token, endpoint, resolver, supported, signal),
      args: () => [this.#token, this.endpoint, this.resolver, this.#support?.supported === true] as const,
      onComplete: (data) => this.#onLoaded(data),
      onError: (error) => this.#onLoadFailed(error),
    });
  }

  override connectedCallback(): void {
    // Decided before anything can trigger a request (api.md: no device spent on a dead end).
    this.#support ??= detectSupport();
    if (!this.#support.supported) {
      keyUnsupported(this.#state.$key, this.#support.reason);
    } else if (!this.token) {
      // Only a page that can use the key hides it; an unsupported one leaves it in the
      // address bar, the guest's way to carry the link to a phone.
      this.#fragmentToken ??= claimFragmentToken();
    }
    super.connectedCallback();
    navigator.bluetooth?.addEventListener('availabilitychanged', this.#onAvailability);
    if (this.#loadAbortedByRemoval) {
      this.#loadAbortedByRemoval = false;
      void this.#load.run();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.bluetooth?.removeEventListener('availabilitychanged', this.#onAvailability);
    // A move within the page disconnects and reconnects at once: abort only a real removal.
    queueMicrotask(() => {
      if (this.isConnected) return;
      if (this.#state.$key.get().status === 'loading') {
        this.#loadAbortedByRemoval = true;
        this.#load.abort();
      }
      // Releases the lock's connection; the `unlocked` hold timer may run out on its own.
      this.#unlockAbort?.abort();
    });
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang' && old !== value) this.requestUpdate();
  }

  protected override update(changed: PropertyValues): void {
    // Derived here, not in willUpdate: the load task moves the store during this update.
    this.state = this.#state.$state.get();
    super.update(changed);
  }

  protected override firstUpdated(): void {
    // After the first render rather than on connect, so listeners added by later scripts
    // in the same task still hear it; the reflected `state` covers the rest.
    if (this.#support && !this.#support.supported && !this.#unsupportedAnnounced) {
      this.#unsupportedAnnounced = true;
      this.dispatchEvent(ikEvent('ik-unsupported', { reason: this.#support.reason }));
    }
  }

  get #token(): string {
    return this.token?.trim() || this.#fragmentToken || '';
  }

  get #locale(): string {
    return resolveLocale(this.#langTag);
  }

  get #langTag(): string {
    return this.lang || this.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language;
  }

  // ---- loading --------------------------------------------------------------------------

  async #fetchCredentials(
    token: string,
    endpoint: string | undefined,
    resolver: CredentialsResolver | undefined,
    supported: boolean,
    signal: AbortSignal,
  ): Promise<CredentialsResponse | typeof initialState> {
    if (!supported) return initialState;
    keyLoading(this.#state.$key);
    unlockReset(this.#state.$unlock);
    if (!token) throw new CredentialsError('link_invalid', 'No link token was given');
    let resolve = resolver;
    if (!resolve) {
      let base: string;
      try {
        base = resolveEndpoint(endpoint, location.href);
      } catch {
        throw new CredentialsError('network_error', 'The endpoint attribute is not a valid URL');
      }
      resolve = createHttpResolver({ endpoint: base });
    }
    const raw = await resolve(token, { signal });
    signal.throwIfAborted();
    // Host resolvers are validated too: whatever reaches the view and the lock is checked once.
    return validateCredentialsResponse(raw);
  }

  #onLoaded(data: CredentialsResponse): void {
    keyLoaded(this.#state.$key, data);
    this.dispatchEvent(ikEvent('ik-credentials', data.credentials.map(toPublicCredential)));
    const bluetooth = navigator.bluetooth;
    if (bluetooth) void adapterAvailable(bluetooth).then((available) => adapterChecked(this.#state.$unlock, available));
  }

  #onLoadFailed(error: unknown): void {
    // Superseded or removed: the next run (if any) owns the state.
    if (domErrorName(error) === 'AbortError') return;
    let code: LoadErrorCode = 'network_error';
    let message = 'The credentials could not be loaded';
    if (error instanceof CredentialsError) {
      message = error.message;
      if (error.code === 'response_invalid') {
        // Integrators need the field list; it names fields, never values.
        console.warn('[instant-key]', error.message);
      } else {
        code = error.code;
      }
    }
    keyFailed(this.#state.$key, code, message);
    this.dispatchEvent(ikEvent('ik-error', { code, message }));
  }

  readonly #onAvailability = (event: Event): void => {
    const value = (event as Event & { value?: unknown }).value;
    if (typeof value === 'boolean') adapterChecked(this.#state.$unlock, value);
  };

  // ---- unlocking ------------------------------------------------------------------------

  #unlockTapped(credential: Credential): void {
    const bluetooth = navigator.bluetooth;
    if (!bluetooth || isUnlockBusy(this.#state.$unlock)) return;
    // Nothing may be awaited before this call: the chooser needs the tap's user activation.
    const chosen = requestLockDevice(bluetooth, [credential.lock.ble_name]);
    void this.#runUnlock(bluetooth, credential, chosen);
  }

  async #runUnlock(bluetooth: Bluetooth, credential: Credential, chosen: Promise<BluetoothDevice>): Promise<void> {
    const $unlock = this.#state.$unlock;
    clearTimeout(this.#holdTimer);
    if (!unlockStarted($unlock, credential.credential_id)) return;
    const controller = new AbortController();
    this.#unlockAbort = controller;
    let result: BluetoothUnlockResult;
    try {
      result = await unlockViaBluetooth(chosen, [toUnlockCredential(credential)], { bluetooth, signal: controller.signal });
    } finally {
      if (this.#unlockAbort === controller) this.#unlockAbort = undefined;
    }
    if (result.ok) {
      unlockSucceeded($unlock, credential.credential_id);
      this.dispatchEvent(
        ikEvent('ik-unlock', { credential_id: result.credentialId, entrance: this.#entranceOf(result.credentialId, credential) }),
      );
      this.#holdTimer = setTimeout(() => {
        const now = $unlock.get();
        if (now.phase === 'unlocked' && now.credentialId === credential.credential_id) unlockReset($unlock);
      }, UNLOCKED_HOLD_MS);
      return;
    }
    const { code, message } = result;
    if (code === 'aborted' || controller.signal.aborted) {
      unlockReset($unlock);
      return;
    }
    if (code === 'ble_cancelled' || code === 'ble_unavailable') unlockNoticed($unlock, code);
    else unlockFailed($unlock, credential.credential_id, code, message);
    this.dispatchEvent(ikEvent('ik-error', { code, message, credential_id: credential.credential_id }));
  }

  #entranceOf(credentialId: string, fallback: Credential): Credential['entrance'] {
    const key = this.#state.$key.get();
    const found = key.status === 'loaded' ? key.data.credentials.find((c) => c.credential_id === credentialId) : undefined;
    return (found ?? fallback).entrance;
  }

  #retryUnlock(): void {
    const attempt = this.#state.$unlock.get();
    const key = this.#state.$key.get();
    if (attempt.phase !== 'failed' || key.status !== 'loaded') return;
    const credential = key.data.credentials.find((c) => c.credential_id === attempt.credentialId);
    if (credential) this.#unlockTapped(credential);
  }

  // ---- view -----------------------------------------------------------------------------

  #t(key: MessageKey, params?: Record<string, string | number>): string {
    return msg(key, params, this.#locale);
  }

  #date(iso: string): string {
    return formatDateTime(iso, dateLocaleFor(this.#langTag, this.#locale));
  }

  protected override render(): TemplateResult {
    const key = this.#key.value;
    const unlock = this.#unlock.value;
    const brand = key.status === 'loaded' ? key.data.instant_key.customization : {};
    return html`
      <div part="base" class="base" style=${styleMap({ '--_brand-primary': brand.primary_color ?? null })}>
        ${this.#renderBody(key, unlock)}
        <p class="visually-hidden" role="status" aria-live="polite">${this.#statusText(key, unlock)}</p>
      </div>
    `;
  }

  #renderBody(key: KeyValue, unlock: UnlockValue): TemplateResult | typeof nothing {
    switch (key.status) {
      case 'idle':
      case 'loading':
        return html`<p class="loading" aria-hidden="true">${this.#t('status.loading')}</p>`;
      case 'unsupported':
        return this.#renderMessage(key.reason, this.#t('unsupported.title'), this.#t(`unsupported.${key.reason}`));
      case 'failed':
        return this.#renderLoadFailure(key.code);
      case 'loaded':
        return this.#renderKey(key.data, unlock);
    }
  }

  #renderLoadFailure(code: LoadErrorCode): TemplateResult {
    if (code === 'link_expired') return this.#renderMessage(code, this.#t('expired.title'), this.#t('expired.body'));
    if (code === 'link_revoked') return this.#renderMessage(code, this.#t('revoked.title'), this.#t('revoked.body'));
    const retryable = code === 'network_error' || code === 'network_offline';
    return this.#renderMessage(
      code,
      this.#t('error.loadTitle'),
      this.#t(`error.${code}`),
      retryable
        ? html`<button part="retry-button" class="secondary" type="button" @click=${() => void this.#load.run()}>
            ${this.#t('action.retry')}
          </button>`
        : nothing,
    );
  }

  #renderMessage(code: string, title: string, body: string, actions: unknown = nothing): TemplateResult {
    return html`
      <section part="message" class="message" data-code=${code}>
        <h2 class="title">${title}</h2>
        <p>${body}</p>
        ${actions === nothing ? nothing : html`<div class="actions">${actions}</div>`}
      </section>
    `;
  }

  #renderKey(data: CredentialsResponse, unlock: UnlockValue): TemplateResult {
    const failed = unlock.phase === 'failed' ? unlock : undefined;
    const failedCredential = failed && data.credentials.find((c) => c.credential_id === failed.credentialId);
    return html`
      <header part="header" class="header">
        <h2 class="title">${this.#t('key.greeting', { name: data.instant_key.user_identity.display_name })}</h2>
        <p class="muted">${this.#t('key.validUntil', { date: this.#date(data.instant_key.expires_at) })}</p>
      </header>
      ${unlock.phase === 'idle' && unlock.notice
        ? html`<p part="notice" class="notice" data-code=${unlock.notice}>${this.#t(`notice.${unlock.notice}`)}</p>`
        : nothing}
      ${failed
        ? this.#renderMessage(
            failed.code,
            this.#t('error.unlockTitle', { entrance: failedCredential?.entrance.display_name ?? '' }),
            this.#t(`error.${failed.code}`),
            html`
              <button part="retry-button" type="button" @click=${() => this.#retryUnlock()}>${this.#t('action.retry')}</button>
              <button part="back-button" class="secondary" type="button" @click=${() => unlockReset(this.#state.$unlock)}>
                ${this.#t('action.back')}
              </button>
            `,
          )
        : nothing}
      ${data.credentials.length === 0
        ? html`<p class="muted">${this.#t('entrances.none')}</p>`
        : html`<ul part="entrances" class="entrances" aria-label=${this.#t('entrances.label')}>
            ${data.credentials.map((c) => this.#renderEntrance(c, unlock))}
          </ul>`}
      ${data.upcoming.length === 0
        ? nothing
        : html`<section class="upcoming-section">
            <h3 class="subtitle">${this.#t('upcoming.label')}</h3>
            <ul part="upcoming" class="upcoming">
              ${data.upcoming.map(
                (u) => html`<li data-entrance-id=${u.entrance.acs_entrance_id}>
                  <span class="name">${u.entrance.display_name}</span>
                  <span class="muted">${this.#t('upcoming.from', { date: this.#date(u.starts_at) })}</span>
                </li>`,
              )}
            </ul>
          </section>`}
    `;
  }

  #renderEntrance(credential: Credential, unlock: UnlockValue): TemplateResult {
    const entrance = credential.entrance;
    const mine = unlock.phase !== 'idle' && unlock.credentialId === credential.credential_id;
    const busy = unlock.phase === 'unlocking';
    const label =
      mine && unlock.phase === 'unlocking'
        ? this.#t('entrance.unlocking')
        : mine && unlock.phase === 'unlocked'
          ? this.#t('entrance.unlocked')
          : this.#t('entrance.unlock');
    return html`
      <li
        part="entrance"
        class="entrance"
        data-entrance-id=${entrance.acs_entrance_id}
        data-credential-id=${credential.credential_id}
        data-kind=${entrance.kind}
      >
        <div class="entrance-text">
          <span class="name">${entrance.display_name}</span>
          <span class="muted">${this.#t(`kind.${entrance.kind}`)} · ${this.#t('entrance.until', { date: this.#date(credential.ends_at) })}</span>
        </div>
        <button
          part="unlock-button"
          type="button"
          aria-label=${this.#t('entrance.unlockLabel', { entrance: entrance.display_name })}
          aria-disabled=${busy ? 'true' : 'false'}
          aria-busy=${mine && busy ? 'true' : 'false'}
          @click=${() => this.#unlockTapped(credential)}
        >
          ${label}
        </button>
      </li>
    `;
  }

  #statusText(key: KeyValue, unlock: UnlockValue): string {
    switch (key.status) {
      case 'idle':
      case 'loading':
        return this.#t('status.loading');
      case 'unsupported':
        return this.#t('unsupported.title');
      case 'failed':
        return this.#t(`error.${key.code}`);
      case 'loaded':
        break;
    }
    if (unlock.phase === 'idle') return unlock.notice ? this.#t(`notice.${unlock.notice}`) : this.#t('status.ready');
    const credential = key.data.credentials.find((c) => c.credential_id === unlock.credentialId);
    const entrance = credential?.entrance.display_name ?? '';
    switch (unlock.phase) {
      case 'unlocking':
        return this.#t('status.unlocking', { entrance });
      case 'unlocked':
        return this.#t('status.unlocked', { entrance });
      case 'failed':
        return `${this.#t('error.unlockTitle', { entrance })} ${this.#t(`error.${unlock.code}`)}`;
    }
  }
}
