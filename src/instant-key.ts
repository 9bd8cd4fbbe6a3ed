import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { adapterAvailable, detectSupport, type Support } from './ble/capabilities.ts';
import { requestLockDevice } from './ble/request.ts';
import { domErrorName } from './ble/errors.ts';
import { NearbyLocks } from './ble/nearby.ts';
import type { BluetoothUnlockResult } from './ble/unlock.ts';
import { CredentialsError, type LoadErrorCode } from './credentials/errors.ts';
import { createHttpResolver, resolveEndpoint } from './credentials/http-resolver.ts';
import { ENTRANCE_KINDS, type Credential, type CredentialsResolver, type CredentialsResponse } from './credentials/types.ts';
import { validateCredentialsResponse } from './credentials/validate.ts';
import { ikEvent, toPublicCredential } from './events.ts';
import { dateLocaleFor, dirOf, formatDateTime, loadLocale, msg, resolveLocale, type MessageKey } from './i18n/index.ts';
import { claimFragmentToken, peekFragmentToken } from './link-token.ts';
import { instantKeyUrl, shareLinks, systemShare } from './share.ts';
import {
  adapterChecked,
  createKeyState,
  isUnlockBusy,
  keyFailed,
  keyLoaded,
  keyLoading,
  keyRefreshFailed,
  keyUnsupported,
  NEARBY,
  refreshDelayMs,
  StoreController,
  ticketsHalfLife,
  unlockFailed,
  unlockNoticed,
  unlockReset,
  unlockStarted,
  unlockSucceeded,
  type ElementState,
  type KeyState,
  type KeyValue,
  type UnlockValue,
} from './state/index.ts';
import { styles } from './instant-key.styles.ts';

/** Default for `unlockedHold`: long enough to read, short enough to be ready for the next door. */
const UNLOCKED_HOLD_MS = 3000;
/** Coming back to the page refreshes only when the last answer is older than this. */
const VISIBLE_REFRESH_MS = 30_000;

/** Lock refusals a retry cannot fix: the guest is told whom to ask instead. */
const FINAL = new Set(['lock_bad_ticket', 'lock_wrong_lock', 'lock_not_yet_valid', 'lock_revoked', 'lock_forbidden', 'lock_unsupported_version', 'lock_jammed']);
/** Refusals that fresh tickets fix: offered as "Update key". */
const STALE_TICKET = new Set(['lock_expired', 'lock_bad_proof']);

type UnlockRun = (signal: AbortSignal) => Promise<BluetoothUnlockResult>;

// The unlock engine (connect, IK1 session, crypto: about a third of the code) is not needed to
// show the key, so it is a chunk of its own, fetched as soon as credentials arrive: it is in
// memory before the first tap, and stays there when the network goes away.
let engine: Promise<typeof import('./ble/engine.ts')> | undefined;
function loadEngine(): Promise<typeof import('./ble/engine.ts')> {
  engine ??= import('./ble/engine.ts');
  // A failed fetch (offline before it arrived) is retried on the next tap, not cached.
  engine.catch(() => (engine = undefined));
  return engine;
}

/**
 * Unlocks the doors of an Instant Key link over Web Bluetooth (IK1). Its attributes other than
 * `lang` are those of the properties below, documented there.
 *
 * @tagname instant-key
 * @summary A guest's mobile key: lists the doors the link opens and unlocks them over Bluetooth.
 *
 * @attr lang - Language of the element's text (BCP 47); defaults to the nearest `lang` on the
 *   page, then the browser's. English is built in; es, fr, de, ja and ar load on demand.
 *
 * @fires {CustomEvent<IkCredentialsDetail>} ik-credentials - Credentials loaded or changed;
 *   `detail` is the list without tickets or keys.
 * @fires {CustomEvent<IkUnlockDetail>} ik-unlock - A lock confirmed the unlock;
 *   `detail: { credential_id, entrance }`.
 * @fires {CustomEvent<IkErrorDetail>} ik-error - Something failed; `detail: { code, message,
 *   credential_id? }`. Also fired for a closed chooser (`ble_cancelled`, which leaves `state`
 *   at `ready`) and for failed background refreshes (`network_*` keep the last credentials
 *   usable). Bluetooth off or absent is a notice in `ready`, and `ble_unavailable` in `error`
 *   once an unlock then fails.
 * @fires {CustomEvent<IkUnsupportedDetail>} ik-unsupported - No Web Bluetooth here, decided
 *   before any request; `detail: { reason }`.
 *
 * @csspart base - The wrapper of everything visible.
 * @csspart logo - The issuer's logo, from the credentials' `customization`.
 * @csspart header - Greeting and stay.
 * @csspart group - One kind of entrance (rooms, elevators, amenities, common areas); `data-kind`.
 * @csspart entrances - A group's list of doors.
 * @csspart entrance - One door's row; carries `data-entrance-id`, `data-credential-id`, `data-in-range`.
 * @csspart unlock-button - A door's Unlock button.
 * @csspart nearby-button - "Unlock nearby door": the chooser lists every lock of the key.
 * @csspart empty - Shown when no access is active yet; says when it starts.
 * @csspart upcoming - The list of doors whose access starts later.
 * @csspart notice - A quiet notice (chooser closed, Bluetooth off, offline); carries `data-code`.
 * @csspart message - The explanation of an error or link state; carries `data-code`.
 * @csspart retry-button - Tries the failed action again.
 * @csspart refresh-button - Fetches fresh credentials after a lock refused stale ones.
 * @csspart back-button - Dismisses an unlock error.
 * @csspart share-button - "Share key".
 * @csspart share-links - Copy, SMS and email links, when the system share sheet is missing.
 * @csspart copy-button - Copies the key's link.
 *
 * @cssproperty --ik-primary - Buttons and accents; defaults to the issuer's brand colour.
 * @cssproperty --ik-on-primary - Text on `--ik-primary`.
 * @cssproperty --ik-accent - The top stripe; defaults to the issuer's secondary colour.
 * @cssproperty --ik-surface - Background.
 * @cssproperty --ik-text - Text colour.
 * @cssproperty --ik-muted - Secondary text colour.
 * @cssproperty --ik-danger - Error accents.
 * @cssproperty --ik-success - Success accents.
 * @cssproperty --ik-radius - Corner radius.
 * @cssproperty --ik-font-family - Font family.
 */
export class InstantKeyElement extends LitElement {
  static override properties = {
    token: { type: String },
    endpoint: { type: String },
    resolver: { attribute: false },
    shareUrl: { type: String, attribute: 'share-url' },
    unlockedHold: { type: Number, attribute: 'unlocked-hold' },
    preview: { type: String },
    state: { type: String, reflect: true },
    _sharing: { state: true },
  };

  static override styles = styles;

  // `lang` stays the native HTMLElement property; only its attribute is observed.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  /**
   * The link token (`ik_…`). When absent, taken from the page URL's `#ik_…` fragment, which is
   * then removed from the address bar.
   */
  declare token: string | undefined;
  /** Base URL of the credential endpoint; empty or absent means the page's origin. */
  declare endpoint: string | undefined;
  /** Replaces the HTTP call, for hosts with their own backend. */
  declare resolver: CredentialsResolver | undefined;
  /** The Instant Key URL the "Share key" action passes on; defaults to `{endpoint}/k#{token}`. */
  declare shareUrl: string | undefined;
  /** Milliseconds `unlocked` shows before `ready` returns (default 3000). */
  declare unlockedHold: number;
  /**
   * Replaces Web Bluetooth and the server with sample doors and in-page virtual locks, so the
   * whole flow can be seen and themed in any browser. Its value may name an `ik-error` code
   * every unlock then ends with (e.g. `preview="lock_jammed"`).
   */
  declare preview: string | undefined;
  /**
   * Reflected, read-only: `loading`, `ready`, `unlocking`, `unlocked`, `error`, `unsupported`,
   * `expired` or `revoked`.
   */
  declare state: ElementState;
  /** Share links shown (no system share sheet), or the "copied" confirmation. */
  declare _sharing: false | 'links' | 'copied';

  readonly #state: KeyState = createKeyState();
  readonly #key = new StoreController(this, this.#state.$key);
  readonly #unlock = new StoreController(this, this.#state.$unlock);
  readonly #nearby = new NearbyLocks(() => this.requestUpdate());
  #support: Support | undefined;
  #fragmentToken: string | undefined;
  #unsupportedAnnounced = false;
  #load: AbortController | undefined;
  #loadedAt = 0;
  #lastRaw: unknown;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #unlockAbort: AbortController | undefined;
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #resolverCache: [string, CredentialsResolver] | undefined;
  #preview: Promise<typeof import('./preview/preview.ts')> | undefined;

  constructor() {
    super();
    this.unlockedHold = UNLOCKED_HOLD_MS;
    this.state = 'loading';
    this._sharing = false;
  }

  override connectedCallback(): void {
    // Decided before anything can trigger a request (api.md: no device spent on a dead end).
    this.#support ??= this.preview == null ? detectSupport() : { supported: true };
    if (!this.#support.supported) {
      keyUnsupported(this.#state.$key, this.#support.reason);
      if (this.#support.reason === 'blocked_by_policy') {
        console.warn('[instant-key] Bluetooth is blocked here: add allow="bluetooth" to the <iframe> that embeds this page.');
      }
    } else if (!this.token && this.preview == null) {
      // Only a page that can use the key hides it; an unsupported one leaves it in the
      // address bar, the guest's way to carry the link to a phone.
      this.#fragmentToken ??= claimFragmentToken();
    }
    super.connectedCallback();
    navigator.bluetooth?.addEventListener('availabilitychanged', this.#onAvailability);
    addEventListener('online', this.#onBack);
    document.addEventListener('visibilitychange', this.#onBack);
    // Reattached after a removal: pick up where it stopped.
    if (this.hasUpdated) {
      if (this.#key.value.status === 'loaded') this.#schedule();
      else if (this.#key.value.status === 'loading') void this.#fetch(false);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.bluetooth?.removeEventListener('availabilitychanged', this.#onAvailability);
    removeEventListener('online', this.#onBack);
    document.removeEventListener('visibilitychange', this.#onBack);
    // A move within the page disconnects and reconnects at once: stop only on a real removal.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#load?.abort();
      clearTimeout(this.#refreshTimer);
      this.#nearby.stop();
      // Releases the lock's connection; the `unlocked` hold timer may run out on its own.
      this.#unlockAbort?.abort();
    });
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang' && old !== value) this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated || changed.has('token') || changed.has('endpoint') || changed.has('resolver')) void this.#fetch(false);
    // A translation arrives asynchronously; English shows meanwhile.
    void loadLocale(this.#langTag).then((loaded) => loaded && this.requestUpdate());
    this.state = this.#state.$state.get();
  }

  // Through CSSOM rather than a `style` attribute, which a CSP without 'unsafe-inline' blocks.
  // On the shadow wrapper, as private fallbacks: the host's own `--ik-*` and `style` stay its own.
  protected override updated(): void {
    const key = this.#key.value;
    const brand = key.status === 'loaded' ? key.data.instant_key.customization : {};
    const style = this.renderRoot.querySelector<HTMLElement>('.base')!.style;
    for (const [name, value] of [
      ['--_brand', brand.primary_color],
      ['--_brand-accent', brand.secondary_color],
    ] as const) {
      if (value) style.setProperty(name, value);
      else style.removeProperty(name);
    }
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

  get #langTag(): string {
    return this.lang || this.parentElement?.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language;
  }

  // ---- loading and refreshing -------------------------------------------------------------

  #resolver(): CredentialsResolver {
    if (this.resolver) return this.resolver;
    const base = resolveEndpoint(this.endpoint, location.href);
    // Kept per endpoint: the HTTP resolver remembers the last ETag.
    if (this.#resolverCache?.[0] !== base) this.#resolverCache = [base, createHttpResolver({ endpoint: base })];
    return this.#resolverCache[1];
  }

  /** A first load (or a retry) shows `loading`; a refresh keeps what is on screen. */
  async #fetch(refresh: boolean): Promise<void> {
    if (!this.#support?.supported) return;
    this.#load?.abort();
    clearTimeout(this.#refreshTimer);
    const controller = new AbortController();
    this.#load = controller;
    const { signal } = controller;
    const $key = this.#state.$key;
    if (!refresh) {
      keyLoading($key);
      unlockReset(this.#state.$unlock);
    }
    const loaded = $key.get();
    try {
      let raw: unknown;
      if (this.preview != null) {
        raw = (await this.#previewModule()).previewResponse(this.preview);
      } else {
        const token = this.#token;
        if (!token) throw new CredentialsError('link_invalid', 'No link token was given');
        // Fresh tickets once half their life is spent (api.md: then no If-None-Match).
        const revalidate = loaded.status === 'loaded' && Date.now() < ticketsHalfLife(loaded.data, this.#loadedAt);
        raw = await this.#resolverOrInvalid()(token, { signal, revalidate });
      }
      signal.throwIfAborted();
      // Host resolvers are validated too: whatever reaches the view and the lock is checked once.
      const data = validateCredentialsResponse(raw);
      this.#loadedAt = Date.now();
      const changed = raw !== this.#lastRaw || loaded.status !== 'loaded';
      this.#lastRaw = raw;
      if (changed || (loaded.status === 'loaded' && loaded.stale)) keyLoaded($key, data);
      if (changed) this.#onCredentials(data);
    } catch (error) {
      // Superseded or removed: the next run (if any) owns the state.
      if (signal.aborted || domErrorName(error) === 'AbortError') return;
      this.#onLoadFailed(error, refresh);
    }
    this.#schedule();
  }

  #resolverOrInvalid(): CredentialsResolver {
    try {
      return this.#resolver();
    } catch {
      throw new CredentialsError('network_error', 'The endpoint attribute is not a valid URL');
    }
  }

  #onCredentials(data: CredentialsResponse): void {
    this.dispatchEvent(ikEvent('ik-credentials', data.credentials.map(toPublicCredential)));
    const bluetooth = navigator.bluetooth;
    if (!bluetooth || this.preview != null) return;
    loadEngine().catch(() => undefined);
    void adapterAvailable(bluetooth).then((available) => adapterChecked(this.#state.$unlock, available));
    void this.#nearby.watch(bluetooth, data.credentials.map((c) => c.lock.ble_name));
  }

  #onLoadFailed(error: unknown, refresh: boolean): void {
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
    if (refresh) keyRefreshFailed(this.#state.$key, code, message);
    else keyFailed(this.#state.$key, code, message);
    this.dispatchEvent(ikEvent('ik-error', { code, message }));
  }

  /** The next background refresh, while the key is shown or only the network failed. */
  #schedule(): void {
    clearTimeout(this.#refreshTimer);
    const key = this.#key.value;
    if (!this.isConnected || key.status !== 'loaded') return;
    this.#refreshTimer = setTimeout(() => void this.#fetch(true), refreshDelayMs(key.data, this.#loadedAt, Date.now()));
  }

  /** Back online, or the page shown again: refresh now if there is something to refresh. */
  readonly #onBack = (event: Event): void => {
    if (document.visibilityState === 'hidden') return;
    const key = this.#key.value;
    if (key.status === 'loaded') {
      if (event.type === 'online' || Date.now() - this.#loadedAt > VISIBLE_REFRESH_MS) void this.#fetch(true);
    } else if (key.status === 'failed' && key.code.startsWith('network') && event.type === 'online') {
      void this.#fetch(false);
    }
  };

  readonly #onAvailability = (event: Event): void => {
    const value = (event as Event & { value?: unknown }).value;
    if (typeof value === 'boolean') adapterChecked(this.#state.$unlock, value);
  };

  #previewModule(): Promise<typeof import('./preview/preview.ts')> {
    return (this.#preview ??= import('./preview/preview.ts'));
  }

  // ---- unlocking ------------------------------------------------------------------------

  /** `target` is a credential id, or `NEARBY` for any of `credentials`. */
  #unlockTapped(target: string, credentials: Credential[]): void {
    if (isUnlockBusy(this.#state.$unlock)) return;
    if (this.preview != null) {
      const failWith = this.preview;
      void this.#runUnlock(target, async (signal) => (await this.#previewModule()).previewUnlock(credentials, failWith, signal));
      return;
    }
    const bluetooth = navigator.bluetooth;
    if (!bluetooth) return;
    const names = credentials.map((c) => c.lock.ble_name);
    // A lock already chosen once and advertising now opens without the chooser. Otherwise
    // nothing may be awaited before requestDevice: the chooser needs the tap's user activation.
    const known = this.#nearby.inRange(names);
    const chosen = known ? Promise.resolve(known) : requestLockDevice(bluetooth, names);
    if (!known) void chosen.then((device) => this.#nearby.remember(device), () => undefined);
    void this.#runUnlock(target, (signal) =>
      loadEngine().then(
        (m) => m.unlockDoors(chosen, credentials, { bluetooth, signal }),
        (): BluetoothUnlockResult => ({ ok: false, code: 'network_offline', message: 'The unlock code could not be loaded' }),
      ),
    );
  }

  async #runUnlock(target: string, run: UnlockRun): Promise<void> {
    const $unlock = this.#state.$unlock;
    clearTimeout(this.#holdTimer);
    if (!unlockStarted($unlock, target)) return;
    const controller = new AbortController();
    this.#unlockAbort = controller;
    let result: BluetoothUnlockResult;
    try {
      result = await run(controller.signal);
    } finally {
      if (this.#unlockAbort === controller) this.#unlockAbort = undefined;
    }
    if (result.ok) {
      unlockSucceeded($unlock, result.credentialId);
      const credential = this.#credential(result.credentialId);
      if (credential) this.dispatchEvent(ikEvent('ik-unlock', { credential_id: result.credentialId, entrance: credential.entrance }));
      this.#holdTimer = setTimeout(() => {
        const now = $unlock.get();
        if (now.phase === 'unlocked' && now.credentialId === result.credentialId) unlockReset($unlock);
      }, this.unlockedHold);
      return;
    }
    const { code, message } = result;
    if (code === 'aborted' || controller.signal.aborted) {
      unlockReset($unlock);
      return;
    }
    // api.md: a closed chooser is back to ready; Bluetooth off is a notice until an unlock fails.
    if (code === 'ble_cancelled') unlockNoticed($unlock, code);
    else unlockFailed($unlock, target, code, message);
    const credentialId = target === NEARBY ? result.credentialId : target;
    this.dispatchEvent(ikEvent('ik-error', { code, message, ...(credentialId ? { credential_id: credentialId } : {}) }));
  }

  #credential(id: string): Credential | undefined {
    const key = this.#key.value;
    return key.status === 'loaded' ? key.data.credentials.find((c) => c.credential_id === id) : undefined;
  }

  #retryUnlock(target: string): void {
    const key = this.#key.value;
    if (key.status !== 'loaded') return;
    const credentials = target === NEARBY ? key.data.credentials : key.data.credentials.filter((c) => c.credential_id === target);
    if (credentials.length) this.#unlockTapped(target, credentials);
  }

  // ---- sharing --------------------------------------------------------------------------

  get #shareUrl(): string | undefined {
    if (this.shareUrl) return this.shareUrl;
    const token = this.#token || peekFragmentToken();
    if (!token || this.preview != null) return undefined;
    try {
      return instantKeyUrl(token, resolveEndpoint(this.endpoint, location.href));
    } catch {
      return undefined;
    }
  }

  async #share(url: string): Promise<void> {
    if (this._sharing) {
      this._sharing = false;
      return;
    }
    if (!(await systemShare({ title: this.#t('share.title'), url }))) this._sharing = 'links';
  }

  async #copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this._sharing = 'copied';
    } catch {
      // No clipboard (insecure page, permission): the SMS and email links remain.
    }
  }

  // ---- view -----------------------------------------------------------------------------

  #t(key: MessageKey, params?: Record<string, string | number>): string {
    return msg(key, params, resolveLocale(this.#langTag));
  }

  #date(iso: string): string {
    return formatDateTime(iso, dateLocaleFor(this.#langTag, resolveLocale(this.#langTag)));
  }

  protected override render(): TemplateResult {
    const key = this.#key.value;
    const unlock = this.#unlock.value;
    const locale = resolveLocale(this.#langTag);
    const logo = key.status === 'loaded' && key.data.instant_key.customization.logo_url;
    const [polite, assertive] = this.#announcements(key, unlock);
    return html`
      <div part="base" class="base" lang=${locale} dir=${dirOf(locale)}>
        ${logo ? html`<img part="logo" class="logo" src=${logo} alt="" />` : nothing}
        ${this.#renderBody(key, unlock)}
        <p class="visually-hidden" role="status">${polite}</p>
        <p class="visually-hidden" role="alert">${assertive}</p>
      </div>
    `;
  }

  #renderBody(key: KeyValue, unlock: UnlockValue): unknown {
    switch (key.status) {
      case 'idle':
      case 'loading':
        return html`<p class="muted" aria-hidden="true"><span class="spinner"></span>${this.#t('status.loading')}</p>`;
      case 'unsupported':
        return [this.#renderMessage(key.reason, this.#t('unsupported.title'), this.#t(`unsupported.${key.reason}`)), this.#renderShare()];
      case 'failed':
        return this.#renderLoadFailure(key.code);
      case 'loaded':
        return this.#renderKey(key.data, key.stale, unlock);
    }
  }

  #renderLoadFailure(code: LoadErrorCode): TemplateResult {
    if (code === 'link_expired') return this.#renderMessage(code, this.#t('expired.title'), this.#t('expired.body'));
    if (code === 'link_revoked') return this.#renderMessage(code, this.#t('revoked.title'), this.#t('revoked.body'));
    const network = code.startsWith('network');
    return this.#renderMessage(
      code,
      this.#t(network ? 'error.loadTitle' : 'error.linkTitle'),
      this.#t(`error.${code}`),
      network && this.#button('retry-button', 'action.retry', () => void this.#fetch(false)),
    );
  }

  #renderMessage(code: string, title: string, body: string, ...actions: unknown[]): TemplateResult {
    const shown = actions.filter(Boolean);
    return html`
      <section part="message" class="message" data-code=${code}>
        <h2 class="title">${title}</h2>
        <p>${body}</p>
        ${shown.length ? html`<div class="actions">${shown}</div>` : nothing}
      </section>
    `;
  }

  #button(part: string, label: MessageKey, onClick: () => void, secondary = false): TemplateResult {
    return html`<button part=${part} class=${secondary ? 'secondary' : ''} type="button" @click=${onClick}>${this.#t(label)}</button>`;
  }

  #renderKey(data: CredentialsResponse, stale: Extract<KeyValue, { status: 'loaded' }>['stale'], unlock: UnlockValue): TemplateResult {
    const { credentials, upcoming, instant_key: summary } = data;
    const notice = stale ?? (unlock.phase === 'idle' ? unlock.notice : undefined);
    const windows = [...credentials, ...upcoming];
    return html`
      <header part="header" class="header">
        <h2 class="title">${this.#t('key.greeting', { name: summary.user_identity.display_name })}</h2>
        <p class="muted">
          ${windows.length
            ? this.#t('key.stay', {
                from: this.#date(windows.map((w) => w.starts_at).sort()[0]!),
                to: this.#date(windows.map((w) => w.ends_at).sort().at(-1)!),
              })
            : this.#t('key.validUntil', { date: this.#date(summary.expires_at) })}
        </p>
      </header>
      ${notice ? html`<p part="notice" class="notice" data-code=${notice}>${this.#t(`notice.${notice}`)}</p>` : nothing}
      ${unlock.phase === 'failed' ? this.#renderUnlockFailure(unlock) : nothing}
      ${credentials.length > 1
        ? html`<button part="nearby-button" class="nearby" type="button" aria-disabled=${String(unlock.phase === 'unlocking')} @click=${() => this.#unlockTapped(NEARBY, credentials)}>
            ${this.#t('nearby.unlock')}
          </button>`
        : nothing}
      ${credentials.length
        ? ENTRANCE_KINDS.map((kind) => {
            const group = credentials.filter((c) => c.entrance.kind === kind);
            return group.length
              ? html`<section part="group" class="group" data-kind=${kind}>
                  <h3 class="subtitle">${this.#t(`group.${kind}`)}</h3>
                  <ul part="entrances" class="list">
                    ${group.map((c) => this.#renderEntrance(c, unlock))}
                  </ul>
                </section>`
              : nothing;
          })
        : html`<section part="empty" class="empty">
            <h3 class="subtitle">${this.#t(upcoming.length ? 'empty.title' : 'empty.none')}</h3>
            ${upcoming.length
              ? html`<p>${this.#t('empty.starts', { date: this.#date(upcoming.map((u) => u.starts_at).sort()[0]!) })}</p>`
              : nothing}
          </section>`}
      ${upcoming.length
        ? html`<section class="group">
            <h3 class="subtitle">${this.#t('upcoming.label')}</h3>
            <ul part="upcoming" class="list">
              ${upcoming.map(
                (u) => html`<li class="row" data-entrance-id=${u.entrance.acs_entrance_id}>
                  <span class="text"><span class="name">${u.entrance.display_name}</span>
                  <span class="muted">${this.#t('upcoming.from', { date: this.#date(u.starts_at) })}</span></span>
                </li>`,
              )}
            </ul>
          </section>`
        : nothing}
      ${this.#renderShare()}
    `;
  }

  #renderUnlockFailure(failed: Extract<UnlockValue, { phase: 'failed' }>): TemplateResult {
    const { code, credentialId } = failed;
    return this.#renderMessage(
      code,
      this.#t('error.unlockTitle', { entrance: this.#entranceName(credentialId) }),
      this.#t(`error.${code}`),
      STALE_TICKET.has(code)
        ? this.#button('refresh-button', 'action.refresh', () => {
            unlockReset(this.#state.$unlock);
            void this.#fetch(true);
          })
        : !FINAL.has(code) && this.#button('retry-button', 'action.retry', () => this.#retryUnlock(credentialId)),
      this.#button('back-button', 'action.back', () => unlockReset(this.#state.$unlock), true),
    );
  }

  #renderEntrance(credential: Credential, unlock: UnlockValue): TemplateResult {
    const entrance = credential.entrance;
    const mine = unlock.phase !== 'idle' && unlock.credentialId === credential.credential_id;
    const near = this.#nearby.inRange([credential.lock.ble_name]) !== undefined;
    const label = mine && unlock.phase === 'unlocking' ? 'entrance.unlocking' : mine && unlock.phase === 'unlocked' ? 'entrance.unlocked' : 'entrance.unlock';
    return html`
      <li
        part="entrance"
        class="row"
        data-entrance-id=${entrance.acs_entrance_id}
        data-credential-id=${credential.credential_id}
        data-kind=${entrance.kind}
        data-in-range=${near}
      >
        <span class="text">
          <span class="name">${entrance.display_name}</span>
          <span class="muted">${near ? html`<span class="near">${this.#t('entrance.inRange')}</span> · ` : nothing}${this.#t('entrance.until', { date: this.#date(credential.ends_at) })}</span>
        </span>
        <button
          part="unlock-button"
          class=${mine ? unlock.phase : ''}
          type="button"
          aria-disabled=${String(unlock.phase === 'unlocking')}
          @click=${() => this.#unlockTapped(credential.credential_id, [credential])}
        >
          ${mine && unlock.phase === 'unlocking' ? html`<span class="spinner"></span>` : nothing}${this.#t(label)}<span class="visually-hidden"> ${entrance.display_name}</span>
        </button>
      </li>
    `;
  }

  #renderShare(): unknown {
    const url = this.#shareUrl;
    if (!url) return nothing;
    const title = this.#t('share.title');
    const links = shareLinks(url, title);
    return html`
      <div class="share">
        <button part="share-button" class="secondary" type="button" aria-expanded=${String(!!this._sharing)} @click=${() => void this.#share(url)}>
          ${this.#t('action.share')}
        </button>
        ${this._sharing
          ? html`<div part="share-links" class="actions">
              ${this.#button('copy-button', 'action.copy', () => void this.#copy(url), true)}
              <a class="button secondary" href=${links.sms}>${this.#t('action.sms')}</a>
              <a class="button secondary" href=${links.email}>${this.#t('action.email')}</a>
              ${this._sharing === 'copied' ? html`<span class="muted" role="status">${this.#t('action.copied')}</span>` : nothing}
            </div>`
          : nothing}
      </div>
    `;
  }

  #entranceName(credentialId: string): string {
    return this.#credential(credentialId)?.entrance.display_name ?? this.#t('nearby.name');
  }

  /** [polite, assertive]: progress and success are polite, errors interrupt. */
  #announcements(key: KeyValue, unlock: UnlockValue): [string, string] {
    switch (key.status) {
      case 'idle':
      case 'loading':
        return [this.#t('status.loading'), ''];
      case 'unsupported':
        return ['', this.#t('unsupported.title')];
      case 'failed':
        return ['', this.#t(`error.${key.code}`)];
      case 'loaded':
        break;
    }
    const entrance = unlock.phase === 'idle' ? '' : this.#entranceName(unlock.credentialId);
    switch (unlock.phase) {
      case 'idle': {
        const notice = key.stale ?? unlock.notice;
        return [notice ? this.#t(`notice.${notice}`) : this.#t('status.ready'), ''];
      }
      case 'unlocking':
        return [this.#t('status.unlocking', { entrance }), ''];
      case 'unlocked':
        return [this.#t('status.unlocked', { entrance }), ''];
      case 'failed':
        return ['', `${this.#t('error.unlockTitle', { entrance })} ${this.#t(`error.${unlock.code}`)}`];
    }
  }
}
