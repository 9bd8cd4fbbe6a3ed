/**
 * The script-tag entry (`<script type="module" src="instant-key.js">`): registers
 * `<instant-key>` and exposes the pieces a host page may need from JavaScript.
 */
import './define.ts';

export { InstantKeyElement } from './instant-key.ts';
export { defineInstantKey, TAG_NAME } from './define.ts';
export { CredentialsError, CredentialsErrorCode } from './credentials/errors.ts';
export { createHttpResolver } from './credentials/http-resolver.ts';
export { validateCredentialsResponse } from './credentials/validate.ts';
export { registerLocale } from './i18n/index.ts';
export { ElementState } from './state/element-state.ts';
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
} from './events.ts';
export type { UnsupportedReason } from './ble/capabilities.ts';
