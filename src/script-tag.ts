/**
 * The script-tag file (`dist/instant-key.js`): registers `<instant-key>` on import and exports
 * what `instant-key/define` does but the response validator (`validateCredentialsResponse`,
 * from the npm package): the element loads its own copy with the key's view, so the first
 * paint need not carry it.
 */
export {
  CredentialsError,
  CredentialsErrorCode,
  createHttpResolver,
  defineInstantKey,
  ElementState,
  InstantKeyElement,
  registerLocale,
  TAG_NAME,
} from './define.ts';
export type {
  BluetoothTransport,
  Catalog,
  ChosenLock,
  Credential,
  CredentialsResolver,
  CredentialsResponse,
  Customization,
  Entrance,
  EntranceKind,
  IkCredentialsDetail,
  IkErrorCode,
  IkErrorDetail,
  IkUnlockDetail,
  IkUnsupportedDetail,
  InstantKeyEventMap,
  InstantKeyEventName,
  InstantKeySummary,
  LockLink,
  LockRef,
  LockRequest,
  MessageKey,
  PublicCredential,
  TransportErrorCode,
  UnsupportedReason,
  UpcomingAccess,
} from './define.ts';
