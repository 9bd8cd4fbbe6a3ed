import { adoptStyles, LitElement, html, nothing, supportsAdoptingStyleSheets, type PropertyValues, type TemplateResult } from 'lit';
import { detectSupport, type Support } from './ble/capabilities.ts';
import type { LockTransport } from './ble/lock-transport.ts';
import { lazyLocks } from './ble/lazy-locks.ts';
import type { BluetoothTransport } from './ble/transport.ts';
import { CredentialsController, type CredentialsRequest } from './controllers/credentials.ts';
import type { OutcomeController } from './controllers/outcome.ts';
import { ShareController } from './controllers/share.ts';
import type { UnlockController } from './controllers/unlock.ts';
import { CredentialsError } from './credentials/errors.ts';
import { createHttpResolver, resolveEndpoint } from './credentials/http-resolver.ts';
import { validSupport } from './credentials/support-contact.ts';
import type { Credential, CredentialsResolver, Customization } from './credentials/types.ts';
import { ikEvent } from './events.ts';
import { dirOf, loadLocale } from './i18n/index.ts';
import { styles } from './instant-key.styles.ts';
import { claimFragmentToken, peekFragmentToken } from './link-token.ts';
import { previewLocks, previewResolver } from './preview/preview-source.ts';
import { instantKeyUrl } from './share.ts';
import { createKeyState, keySupportedAfterAll, keyUnsupported, StoreController, unlockReset, type ElementState, type KeyState, type KeyValue, type UnlockValue } from './state/index.ts';
import { Lazy } from './lazy.ts';
import type { Kept } from './vault/recall.ts';
import { announcements } from './view/live-regions.ts';
import { hint } from './hints.ts';
import { loadFailure, message } from './view/message.ts';
import { share } from './view/share.ts';
import { textFor, type Text } from './view/text.ts';

/** Default for `unlockedHold`: long enough to read, short enough to be ready for the next door. */
const UNLOCKED_HOLD_MS = 3000;

type KeyView = typeof import('./view/key.ts');
/** The loaded key's view (src/view/key.ts): shared by every element of the page. */
const keyView = new Lazy<KeyView>(() => import('./view/key.ts'));
/** `remember`: the device vault and its crypto, fetched only by pages that opt in. */
const vaultChunk = new Lazy(() => import('./vault/recall.ts'));
/** Where a phone that cannot open doors goes instead (src/view/handoff.ts). */
const handoffView = new Lazy(() => import('./view/handoff.ts'));

/**
 * Unlocks the doors of an Instant Key link over Bluetooth (IK1): Web Bluetooth, a native
 * host's bridge, or the host's own `transport`. Its attributes other than `lang`,
 * `ios-app-url` and `ios-app-name` are those of the properties below, documented there.
 *
 * @tagname instant-key
 * @summary A guest's mobile key: lists the doors the link opens and unlocks them over Bluetooth.
 *
 * @attr ios-app-url - The issuer's iOS app or App Clip link (https). Where an iPhone's browser
 *   cannot open doors it offers "Open in <app>", passing the Instant Key URL percent-encoded
 *   in that link's fragment (docs/native-bridge.md). Read when the guest sees that state.
 * @attr ios-app-name - The app's name for that action; default "the app".
 * @attr lang - Language of the element's text (BCP 47); defaults to the nearest `lang` on the
 *   page, then the browser's. English is built in; es, fr, de, ja and ar load on demand.
 *
 * @fires {CustomEvent<IkCredentialsDetail>} ik-credentials - Credentials loaded or changed;
 *   `detail` is the list without tickets or keys.
 * @fires {CustomEvent<IkUnlockDetail>} ik-unlock - A lock confirmed the unlock;
 *   `detail: { credential_id, entrance }`.
 * @fires {CustomEvent<IkErrorDetail>} ik-error - Something failed; `detail: { code, message,
 *   credential_id? }`. Also fired for a closed chooser (`ble_cancelled`, which leaves `state`
 *   at `ready`), for failed background refreshes (`network_*` keep the last credentials
 *   usable), for a first load with no network that shows the key kept on this device, and for
 *   a kept key that ended before (`remember`). Bluetooth off or absent is a notice in `ready`,
 *   and `ble_unavailable` in `error` once an unlock then fails. `load_failed`: a part of the
 *   element (an `instant-key-*.js` file) could not be fetched.
 * @fires {CustomEvent<IkUnsupportedDetail>} ik-unsupported - No Web Bluetooth here, decided
 *   before any request; `detail: { reason }`.
 *
 * @csspart base - The wrapper of everything visible.
 * @csspart brand - The issuer: logo and hotel name, from the credentials' `customization`.
 * @csspart logo - The issuer's logo.
 * @csspart hotel-name - The hotel's name.
 * @csspart header - Greeting and stay: check-in and check-out in the property's time zone
 *   (named when the phone's differs), else the span of the doors' access.
 * @csspart hint - Before this device's first chooser: the phone will list the locks nearby.
 * @csspart group - One kind of entrance (rooms, elevators, amenities, common areas); `data-kind`.
 * @csspart entrances - A group's list of doors.
 * @csspart entrance - One door's row; carries `data-entrance-id`, `data-credential-id`,
 *   `data-kind`, `data-in-range`, and `data-expired` (dimmed: its ticket ran out); class `done`
 *   while it shows as unlocked.
 * @csspart closed - "Closed now": an entrance outside its opening hours (the unlock still tries).
 * @csspart unlock-button - A door's Unlock button.
 * @csspart nearby-button - "Unlock nearby door": the chooser lists every lock of the key.
 * @csspart empty - Shown when no access is active yet; says when it starts.
 * @csspart upcoming - The list of doors whose access starts later.
 * @csspart notice - A quiet notice (chooser closed, Bluetooth off, offline); carries
 *   `data-code`. At the end of the card, sticky at the bottom of the screen.
 * @csspart message - The explanation of an error or link state; carries `data-code`. An
 *   unlock's failure shows under its door, scrolled into view and focused.
 * @csspart support - The front desk's phone and email, wherever the guest is sent to it.
 * @csspart support-phone - The `tel:` link.
 * @csspart support-email - The `mailto:` link.
 * @csspart retry-button - Tries the failed action again.
 * @csspart refresh-button - Fetches fresh credentials after a lock refused stale ones.
 * @csspart back-button - Dismisses an unlock error.
 * @csspart share-button - "Share key".
 * @csspart share-links - Copy, SMS and email links, when the system share sheet is missing.
 * @csspart copy-button - Copies the key's link.
 * @csspart remove-button - "Remove this key from this phone", when the key is kept (`remember`).
 * @csspart handoff-button - Where this phone's browser cannot open doors: "Open in Chrome"
 *   (Android) or "Open in <app>" (iOS, with `ios-app-url`), carrying the link onward.
 *
 * @cssproperty --ik-primary - Buttons and accents; defaults to the issuer's brand colour.
 * @cssproperty --ik-on-primary - Text on `--ik-primary`.
 * @cssproperty --ik-accent - The top stripe; defaults to the issuer's accent colour, then the
 *   primary colour (buttons' colour, so it stands out from the card).
 * @cssproperty --ik-surface - Background.
 * @cssproperty --ik-text - Text colour.
 * @cssproperty --ik-muted - Secondary text colour.
 * @cssproperty --ik-danger - Error accents.
 * @cssproperty --ik-success - Success accents.
 * @cssproperty --ik-border - Borders of the door rows.
 * @cssproperty --ik-tint - Background of the "no access yet" panel.
 * @cssproperty --ik-danger-surface - Background of error messages.
 * @cssproperty --ik-success-surface - Background of a door that just unlocked.
 * @cssproperty --ik-notice-surface - Background of notices.
 * @cssproperty --ik-min-height - Height held from the first paint and while the key shows
 *   (default 320px), so the page below does not move when the key arrives; set it to your
 *   key's height.
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
    colorScheme: { type: String, attribute: 'color-scheme', reflect: true },
    supportPhone: { type: String, attribute: 'support-phone' },
    supportEmail: { type: String, attribute: 'support-email' },
    remember: { type: Boolean },
    state: { type: String, reflect: true },
  };

  static override styles = styles;

  // `lang` stays the native HTMLElement property; only its attribute is observed.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  /**
   * The link token (`ik_…`). When absent, taken from the page URL's `#ik_…` fragment, which is
   * then removed from the address bar (with `remember`, replaced by the key's `#k=` handle).
   */
  declare token: string | undefined;
  /** Base URL of the credential endpoint; empty or absent means the page's origin. */
  declare endpoint: string | undefined;
  /** Replaces the HTTP call, for hosts with their own backend. */
  declare resolver: CredentialsResolver | undefined;
  /**
   * Replaces the element's Bluetooth with the host's own, e.g. a Capacitor plugin (a
   * `BluetoothTransport`: choose a lock, connect, read and write; see docs/native-bridge.md).
   * Set it before the element is attached: a page with a transport counts as supported
   * whatever its browser. Without it the element uses the native bridge when the host injected
   * `window.instantKeyBridge`, else Web Bluetooth.
   */
  declare transport: BluetoothTransport | undefined;
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
   * `light` or `dark` pins the colour scheme, e.g. on a light-only host page; absent (or
   * anything else) follows the guest's `prefers-color-scheme`.
   */
  declare colorScheme: string | undefined;
  /**
   * The front desk's phone (E.164, e.g. `+351210000000`), offered wherever the guest is sent
   * there when the issuer's own (`customization.support_phone`) is not known, as for a link
   * that has expired before this device ever loaded it. Ignored unless valid.
   */
  declare supportPhone: string | undefined;
  /** The front desk's email, as `supportPhone`. */
  declare supportEmail: string | undefined;
  /**
   * Keeps the key on this device, sealed in IndexedDB under a key no script can read, and
   * puts its local handle (`#k=…`) in the address bar instead of the link: a reload, a
   * restored tab or a bookmark opens it again, offline too, until its tickets run out. The
   * guest can remove it ("Remove this key from this phone"). The standalone key page (`/k`)
   * sets it; a host page opts in.
   */
  declare remember: boolean;
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
    inputs: () => [this.#token, this.endpoint, this.resolver, this.preview, this.#recall],
    request: () => this.#request(),
    enabled: () => this.#support?.supported === true && (this.#recall === 'off' || this.#recall === 'ready'),
    onReset: () => unlockReset(this.#state.$unlock),
    // The unlock controller exists by then: the key view (and it) arrive before any answer shows.
    onCredentials: (data) => this.#unlock?.prepare(data.credentials),
    viewReady: () => keyView.load().then((view) => (this.#keyViewArrived(view), view)),
  });
  /** Made when the key view arrives, with it: only a loaded key can be unlocked. */
  #unlock: UnlockController | undefined;
  #outcome: OutcomeController | undefined;
  /** `remember`: `pending` until the vault answered (no request before), `final` once it had the verdict. */
  #recall: 'off' | 'pending' | 'ready' | 'final' = 'off';
  #kept: Kept | undefined;
  readonly #share = new ShareController(this);
  #support: Support | undefined;
  #fragmentToken: string | undefined;
  /** The token of a key found by its `#k=` handle. */
  #savedToken: string | undefined;
  #unsupportedAnnounced = false;
  #httpResolver: [string, CredentialsResolver] | undefined;
  #preview: [string, CredentialsResolver, LockTransport] | undefined;
  #locks: [BluetoothTransport | undefined, LockTransport] | undefined;
  #stopWatching: (() => void) | undefined;

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
        hint('Bluetooth is blocked here: add allow="bluetooth" to the <iframe> that embeds this page.');
      }
    } else if (!this.token && this.preview == null) {
      // Only a page that can use the key hides it; an unsupported one leaves it in the
      // address bar, the guest's way to carry the link to a phone.
      this.#fragmentToken ??= claimFragmentToken();
    }
    if (this.#support.supported && this.remember && this.preview == null) this.#startRecall();
    // The first load starts in the first update, before its render (the credentials
    // controller's Task runs in hostUpdate): not here, where properties set before the upgrade
    // (a page's `resolver`) are not yet applied.
    super.connectedCallback();
    // A polyfill or a native bridge may be injected after the page's scripts ran.
    if (this.#support.supported === false && this.#support.reason === 'no_bluetooth') {
      handoffView.load().then((m) => {
        this.#stopWatching?.();
        if (this.isConnected) this.#stopWatching = m.watchLateBluetooth(() => this.#supportedAfterAll());
        this.requestUpdate();
      }, () => undefined);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopWatching?.();
  }

  /** Bluetooth appeared since the element found none: start over as a supported page. */
  #supportedAfterAll(): void {
    this.#support = { supported: true };
    keySupportedAfterAll(this.#state.$key);
    if (!this.token) this.#fragmentToken ??= claimFragmentToken();
    this.#unlock?.transportChanged();
    this.#credentials.retry();
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
      // Not the secondary colour: issuers pick a pale tint for it, which vanishes on a light card.
      ['--_brand-accent', brand.accent_color],
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
    return this.token?.trim() || this.#fragmentToken || this.#savedToken || '';
  }

  get #langTag(): string {
    return this.lang || this.parentElement?.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || navigator.language;
  }

  // ---- wiring the controllers -------------------------------------------------------------

  #request(): CredentialsRequest {
    if (this.preview != null) return { token: '', resolver: this.#previewSource()[1] };
    const token = this.#token;
    if (!token) {
      hint('No link token: set the token attribute, or open this page with the key link (its #ik_… fragment).');
      throw new CredentialsError('link_invalid', 'No link token was given');
    }
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

  /** The way to the locks: the preview's, else the host's own `transport`, a native bridge or Web Bluetooth (loaded lazily). */
  #ownTransport(): LockTransport | undefined {
    if (this.preview != null) return this.#previewSource()[2];
    // An unsupported page loads no Bluetooth code at all.
    if (!this.#support?.supported) return undefined;
    const own = this.transport;
    if (this.#locks && this.#locks[0] === own) return this.#locks[1];
    const locks = lazyLocks(own);
    this.#locks = [own, locks];
    return locks;
  }

  #previewSource(): [string, CredentialsResolver, LockTransport] {
    const failWith = this.preview ?? '';
    if (this.#preview?.[0] !== failWith) this.#preview = [failWith, previewResolver(failWith), previewLocks(failWith)];
    return this.#preview;
  }

  /** The key view's chunk arrived (before a key renders): its controllers and styles join. */
  #keyViewArrived(view: KeyView): void {
    if (this.#unlock) return;
    this.#unlock = new view.UnlockController(this, {
      $unlock: this.#state.$unlock,
      transport: () => this.#ownTransport(),
      credentials: () => this.#loadedCredentials(),
      hold: () => this.unlockedHold,
    });
    this.#outcome = new view.OutcomeController(this, this.#state.$unlock);
    new view.ClockController(this, () => this.#loadedCredentials().some((c) => c.entrance.hours));
    // Without constructable sheets Lit uses <style> elements: then only the new one is added.
    const styles = supportsAdoptingStyleSheets ? [...InstantKeyElement.elementStyles, view.keyStyles] : [view.keyStyles];
    adoptStyles(this.renderRoot as ShadowRoot, styles);
  }

  /** The front desk's contact: the issuer's where it gave one, else the host page's attributes. */
  #frontDesk(issuer: Customization | undefined): Customization {
    return { ...validSupport(this.supportPhone, this.supportEmail), ...issuer };
  }

  #loadedCredentials(): readonly Credential[] {
    const key = this.#key.value;
    return key.status === 'loaded' ? key.data.credentials : [];
  }

  get #shareUrl(): string | undefined {
    if (this.shareUrl) return this.shareUrl;
    // The preview shares a sample link, so designers see the share button the live key shows.
    const token = this.preview != null ? 'ik_preview' : this.#token || peekFragmentToken();
    if (!token) return undefined;
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
    const entrance = unlock.credentialId ? this.#entranceName(text, unlock.credentialId) : '';
    const view = keyView.current;
    const [polite, assertive] = key.status !== 'loaded' ? announcements(text, key) : view ? view.keyAnnouncements(text, key, unlock, entrance) : ['', ''];
    return html`
      <div part="base" class="base ${key.status === 'loading' || key.status === 'idle' || key.status === 'loaded' ? 'held' : ''}" lang=${text.locale} dir=${dirOf(text.locale)}>
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
      case 'unsupported': {
        const onward = key.reason === 'no_bluetooth' ? handoffView.current?.handoff(text, this, this.#shareUrl, (url) => void this.#share.copy(url)) : undefined;
        return [message(key.reason, text.t('unsupported.title'), onward?.body ?? text.t(`unsupported.${key.reason}`), onward?.actions ?? []), this.#shareView(text)];
      }
      case 'failed':
        return loadFailure(text, key.code, this.#frontDesk(key.customization), () => this.#credentials.retry(), key.forgotten);
    }
    const view = keyView.current;
    const actions = this.#unlock;
    // Never without them: the credentials controller waits for the chunk before `loaded`.
    if (!view || !actions) return nothing;
    return [
      view.keyView(text, {
        key,
        unlock,
        entrance,
        support: this.#frontDesk(key.data.instant_key.customization),
        chooserHint: actions.firstChooser,
        inRange: (c) => actions.inRange(c),
        onUnlock: (event, target, chosen) => actions.tapped(event, target, chosen),
        refresh: () => {
          actions.reset();
          this.#credentials.refresh();
        },
        retry: (event) => {
          if (unlock.phase !== 'failed') return;
          this.#outcome?.returnTo(unlock.credentialId);
          actions.retry(event, unlock.credentialId);
        },
        back: () => {
          if (unlock.phase === 'failed') this.#outcome?.returnTo(unlock.credentialId);
          actions.reset();
        },
        host: this,
        ...(this.#kept ? { remove: () => this.#removeKey() } : {}),
      }),
      this.#shareView(text),
      view.keyNotice(text, key, unlock, entrance || undefined),
    ];
  }

  /** Finds the key in the device vault before the first request (src/vault/recall.ts). */
  #startRecall(): void {
    if (this.#recall !== 'off') return;
    // A kept key is bound to its endpoint, whoever asks it (a host `resolver` too: /k lends one).
    let scope: string;
    try {
      scope = resolveEndpoint(this.endpoint, location.href);
    } catch {
      return;
    }
    this.#recall = 'pending';
    const token = this.token?.trim() || this.#fragmentToken;
    void vaultChunk
      .load()
      .then((m) => m.recall({ host: this, $key: this.#state.$key, token, scope, inAddressBar: !this.token?.trim() }))
      // No vault here (chunk not loaded, storage refused): the key works, not kept.
      .catch(() => undefined)
      .then((kept) => {
        if (kept === 'final') return void (this.#recall = 'final');
        this.#recall = 'ready';
        if (!kept) return;
        this.#kept = kept;
        this.#savedToken = kept.token;
        this.#credentials.vault = kept.vault;
      })
      .finally(() => this.requestUpdate());
  }

  #removeKey(): void {
    this.#credentials.stop();
    this.#unlock?.reset();
    this.#recall = 'final';
    void this.#kept?.remove();
    this.#kept = undefined;
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
