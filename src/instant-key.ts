import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { detectSupport, type Support } from './ble/capabilities.ts';
import type { LockTransport } from './ble/lock-transport.ts';
import { webBluetoothLocks } from './ble/web-bluetooth-locks.ts';
import { CredentialsController, type CredentialsRequest } from './controllers/credentials.ts';
import { ShareController } from './controllers/share.ts';
import { UnlockController } from './controllers/unlock.ts';
import { CredentialsError } from './credentials/errors.ts';
import { createHttpResolver, resolveEndpoint } from './credentials/http-resolver.ts';
import type { Credential, CredentialsResolver } from './credentials/types.ts';
import { ikEvent } from './events.ts';
import { dirOf, loadLocale } from './i18n/index.ts';
import { styles } from './instant-key.styles.ts';
import { claimFragmentToken, peekFragmentToken } from './link-token.ts';
import { previewLocks, previewResolver } from './preview/preview-source.ts';
import { instantKeyUrl } from './share.ts';
import { createKeyState, keyUnsupported, StoreController, type ElementState, type KeyState, type KeyValue, type UnlockValue } from './state/index.ts';
import { Lazy } from './lazy.ts';
import { announcements } from './view/live-regions.ts';
import { loadFailure, message } from './view/message.ts';
import { share } from './view/share.ts';
import { textFor, type Text } from './view/text.ts';

/** Default for `unlockedHold`: long enough to read, short enough to be ready for the next door. */
const UNLOCKED_HOLD_MS = 3000;

/** The loaded key's view (src/view/key.ts): shared by every element of the page. */
const keyView = new Lazy(() => import('./view/key.ts'));

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
    transport: { attribute: false },
    shareUrl: { type: String, attribute: 'share-url' },
    unlockedHold: { type: Number, attribute: 'unlocked-hold' },
    preview: { type: String },
    state: { type: String, reflect: true },
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
  /**
   * Replaces Web Bluetooth as the way to the locks, e.g. a native app lending its Bluetooth to
   * a WebView (see `LockTransport`). Set it before the element is attached: a page with a
   * transport counts as supported whatever its browser.
   */
  declare transport: LockTransport | undefined;
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

  readonly #state: KeyState = createKeyState();
  readonly #key = new StoreController(this, this.#state.$key);
  readonly #unlockValue = new StoreController(this, this.#state.$unlock);
  readonly #credentials = new CredentialsController(this, {
    $key: this.#state.$key,
    inputs: () => [this.#token, this.endpoint, this.resolver],
    request: () => this.#request(),
    enabled: () => this.#support?.supported === true,
    onReset: () => this.#unlock.reset(),
    onCredentials: (data) => this.#unlock.prepare(data.credentials),
    viewReady: () => keyView.load(),
  });
  readonly #unlock = new UnlockController(this, {
    $unlock: this.#state.$unlock,
    transport: () => this.#transport(),
    credentials: () => this.#loadedCredentials(),
    hold: () => this.unlockedHold,
  });
  readonly #share = new ShareController(this);
  #support: Support | undefined;
  #fragmentToken: string | undefined;
  #unsupportedAnnounced = false;
  #httpResolver: [string, CredentialsResolver] | undefined;
  #preview: [string, CredentialsResolver, LockTransport] | undefined;
  #webBluetooth: LockTransport | undefined;

  constructor() {
    super();
    this.unlockedHold = UNLOCKED_HOLD_MS;
    this.state = 'loading';
  }

  override connectedCallback(): void {
    // Decided before anything can trigger a request (api.md: no device spent on a dead end).
    this.#support ??= this.preview == null && !this.transport ? detectSupport() : { supported: true };
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
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang' && old !== value) this.requestUpdate();
  }

  protected override willUpdate(): void {
    // A translation arrives asynchronously; English shows meanwhile.
    void loadLocale(this.#langTag).then((loaded) => loaded && this.requestUpdate());
  }

  // After the controllers' hostUpdate (a load may just have started), before rendering; a
  // property set here joins this update.
  protected override update(changed: PropertyValues<this>): void {
    this.state = this.#state.$state.get();
    super.update(changed);
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

  // ---- wiring the controllers -------------------------------------------------------------

  #request(): CredentialsRequest {
    if (this.preview != null) return { token: '', resolver: this.#previewSource()[1] };
    const token = this.#token;
    if (!token) throw new CredentialsError('link_invalid', 'No link token was given');
    if (this.resolver) return { token, resolver: this.resolver };
    let base: string;
    try {
      base = resolveEndpoint(this.endpoint, location.href);
    } catch {
      throw new CredentialsError('network_error', 'The endpoint attribute is not a valid URL');
    }
    // Kept per endpoint: the HTTP resolver remembers the last ETag.
    if (this.#httpResolver?.[0] !== base) this.#httpResolver = [base, createHttpResolver({ endpoint: base })];
    return { token, resolver: this.#httpResolver[1] };
  }

  #transport(): LockTransport | undefined {
    if (this.transport) return this.transport;
    if (this.preview != null) return this.#previewSource()[2];
    const bluetooth = navigator.bluetooth;
    return bluetooth && (this.#webBluetooth ??= webBluetoothLocks(bluetooth));
  }

  #previewSource(): [string, CredentialsResolver, LockTransport] {
    const failWith = this.preview ?? '';
    if (this.#preview?.[0] !== failWith) this.#preview = [failWith, previewResolver(failWith), previewLocks(failWith)];
    return this.#preview;
  }

  #loadedCredentials(): readonly Credential[] {
    const key = this.#key.value;
    return key.status === 'loaded' ? key.data.credentials : [];
  }

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

  // ---- view -------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const key = this.#key.value;
    const unlock = this.#unlockValue.value;
    const text = textFor(this.#langTag);
    const entrance = unlock.phase === 'idle' ? '' : this.#entranceName(text, unlock.credentialId);
    const [polite, assertive] = announcements(text, key, unlock, entrance);
    return html`
      <div part="base" class="base" lang=${text.locale} dir=${dirOf(text.locale)}>
        ${this.#body(text, key, unlock, entrance)}
        <p class="visually-hidden" role="status">${polite}</p>
        <p class="visually-hidden" role="alert">${assertive}</p>
      </div>
    `;
  }

  #body(text: Text, key: KeyValue, unlock: UnlockValue, entrance: string): unknown {
    switch (key.status) {
      case 'idle':
      case 'loading':
        return html`<p class="muted" aria-hidden="true"><span class="spinner"></span>${text.t('status.loading')}</p>`;
      case 'unsupported':
        return [message(key.reason, text.t('unsupported.title'), text.t(`unsupported.${key.reason}`)), this.#shareView(text)];
      case 'failed':
        return loadFailure(text, key.code, () => this.#credentials.retry());
    }
    const view = keyView.current;
    // Never without its view: the credentials controller waits for the chunk before `loaded`.
    if (!view) return nothing;
    return [
      view.keyView(text, {
        key,
        unlock,
        entrance,
        inRange: (c) => this.#unlock.inRange(c),
        onUnlock: (event, target, chosen) => this.#unlock.tapped(event, target, chosen),
        refresh: () => {
          this.#unlock.reset();
          this.#credentials.refresh();
        },
        retry: (event) => unlock.phase === 'failed' && this.#unlock.retry(event, unlock.credentialId),
        back: () => this.#unlock.reset(),
      }),
      this.#shareView(text),
    ];
  }

  #shareView(text: Text): unknown {
    return share(text, {
      url: this.#shareUrl,
      mode: this.#share.mode,
      onShare: (url) => void this.#share.share(url, text.t('share.title')),
      onCopy: (url) => void this.#share.copy(url),
    });
  }

  #entranceName(text: Text, credentialId: string): string {
    return this.#loadedCredentials().find((c) => c.credential_id === credentialId)?.entrance.display_name ?? text.t('nearby.name');
  }
}
