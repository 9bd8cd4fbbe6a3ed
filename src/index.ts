/// <reference path="./ble/web-bluetooth.d.ts" preserve="true" />
/**
 * `instant-key`: the element class and its public types, with no side effects. Importing this
 * module registers nothing; import `instant-key/define` (or call `defineInstantKey()`) for that.
 */
import { InstantKeyElement } from './instant-key.ts';

export { InstantKeyElement };
export { CredentialsError, CredentialsErrorCode } from './credentials/errors.ts';
export { createHttpResolver } from './credentials/http-resolver.ts';
// The response validator is `instant-key/validate`: the element loads its own copy with the key's
// view, so neither this module nor the script-tag file carries it.
export { registerLocale } from './i18n/index.ts';
export { ElementState } from './state/element-state.ts';
/** The GATT service every lock of the protocol advertises (docs/protocol.md), for host transports. */
export { IK1_SERVICE_UUID as LOCK_SERVICE_UUID } from './protocol/constants.ts';
export type { Catalog, MessageKey } from './i18n/index.ts';
export type {
  Credential,
  CredentialsResolver,
  CredentialsResponse,
  Customization,
  Entrance,
  EntranceKind,
  InstantKeySummary,
  LockRef,
  UpcomingAccess,
} from './credentials/types.ts';
export type { PublicCredential } from './credentials/unlock-credential.ts';
export type {
  IkCredentialsDetail,
  IkErrorCode,
  IkErrorDetail,
  IkUnlockDetail,
  IkUnsupportedDetail,
  InstantKeyEventMap,
  InstantKeyEventName,
} from './events.ts';
export type { UnsupportedReason } from './ble/capabilities.ts';
export type { BluetoothTransport, ChosenLock, LockLink, LockRequest, TransportErrorCode } from './ble/transport.ts';

/** The tag `defineInstantKey()` registers. */
export const TAG_NAME = 'instant-key';

/**
 * Registers `<instant-key>` unless something already owns the tag. A second copy of the element
 * (the same or another version, e.g. a script tag next to a bundled copy) must not throw and
 * break the host page: it warns and leaves the first registration in place.
 */
export function defineInstantKey(registry: CustomElementRegistry = customElements): void {
  const existing = registry.get(TAG_NAME);
  if (existing === undefined) {
    registry.define(TAG_NAME, InstantKeyElement);
  } else if (existing !== InstantKeyElement) {
    console.warn(`[instant-key] <${TAG_NAME}> is already defined by another copy or version; this one is not registered.`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'instant-key': InstantKeyElement;
  }
}
