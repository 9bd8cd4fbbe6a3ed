import { adoptStyles, LitElement, html, nothing, supportsAdoptingStyleSheets, type PropertyValues, type TemplateResult } from 'lit';
import { detectSupport, type Support } from './ble/capabilities.ts';
import type { LockTransport } from './ble/lock-transport.ts';
import { CredentialsController, type CredentialsRequest } from './controllers/credentials.ts';
import type { OutcomeController } from './controllers/outcome.ts';
import { ShareController } from './controllers/share.ts';
import type { UnlockController } from './controllers/unlock.ts';
import { CredentialsError } from './credentials/errors.ts';
import { createHttpResolver, resolveEndpoint } from './credentials/http-resolver.ts';
import { validSupport } from './credentials/validate.ts';
import type { Credential, CredentialsResolver, Customization } from './credentials/types.ts';
import { ikEvent } from './events.ts';
import { dirOf, loadLocale } from './i18n/index.ts';
import { styles } from './instant-key.styles.ts';
import { claimFragmentToken, peekFragmentToken } from './link-token.ts';
import { previewLocks, previewResolver } from './preview/preview-source.ts';
import { instantKeyUrl } from './share.ts';
import { createKeyState, keyUnsupported, StoreController, unlockReset, type ElementState, type KeyState, type KeyValue, type UnlockValue } from './state/index.ts';
import { Lazy } from './lazy.ts';
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
 *   once an unlock then fails. `load_failed`: a part of the element (an `instant-key-*.js`
 *   file) could not be fetched.
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
 *   `data-kind`, `data-in-range`; class `done` while it shows as unlocked.
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
 *
 * @cssproperty --ik-primary - Buttons and accents; defaults to the issuer's brand colour.
 * @cssproperty --ik-on-primary - Text on `--ik-primary`.
 * @cssproperty --ik-accent - The top stripe; defaults to the issuer's accent colour, then its
 *   secondary colour.
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
   * Reflected, read-only: `loading`, `ready`, `unlocking`, `unlocked`, `error`, `unsupported`,
   * `expired` or `revoked`.
   */
  declare state: ElementState;

  readonly #state: KeyState = createKeyState();
  readonly #key = new StoreController(this, this.#state.$key);
  readonly #unlockValue = new StoreController(this, this.#state.$unlock);
  readonly #credentials = new CredentialsController(this, {
    $key: this.#state.$key,
    inputs: () => [this.#token, this.endpoint, this.resolver, this.preview],
    request: () => this.#request(),
    enabled: () => this.#support?.supported === true,
    onReset: () => unlockReset(this.#state.$unlock),
    // The unlock controller exists by then: the key view (and it) arrive before any answer shows.
    onCredentials: (data) => this.#unlock?.prepare(data.credentials),
    viewReady: () => keyView.load().then((view) => this.#keyViewArrived(view)),
  });
  /** Made when the key view arrives, with it: only a loaded key can be unlocked. */
  #unlock: UnlockController | undefined;
  #outcome: OutcomeController | undefined;
  readonly #share = new ShareController(this);
  #support: Support | undefined;
  #fragmentToken: string | undefined;
  #unsupportedAnnounced = false;
  #httpResolver: [string, CredentialsResolver] | undefined;
  #preview: [string, CredentialsResolver, LockTransport] | undefined;

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
    // The first load starts in the first update, before its render (the credentials
    // controller's Task runs in hostUpdate): not here, where properties set before the upgrade
    // (a page's `resolver`) are not yet applied.
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
      ['--_brand-accent', brand.accent_color ?? brand.secondary_color],
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

  /** The host's own way to the locks, or the preview's; the unlock controller defaults the rest. */
  #ownTransport(): LockTransport | undefined {
    return this.transport ?? (this.preview != null ? this.#previewSource()[2] : undefined);
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
      case 'unsupported':
        return [message(key.reason, text.t('unsupported.title'), text.t(`unsupported.${key.reason}`)), this.#shareView(text)];
      case 'failed':
        return loadFailure(text, key.code, this.#frontDesk(key.customization), () => this.#credentials.retry());
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
      }),
      this.#shareView(text),
      view.notice(text, key.stale ?? (unlock.phase === 'idle' ? unlock.notice : undefined), entrance || undefined),
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
