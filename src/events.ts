import type { BluetoothUnlockCode } from './ble/unlock.ts';
import type { UnsupportedReason } from './ble/capabilities.ts';
import type { LoadErrorCode } from './credentials/errors.ts';
import type { Credential, Entrance } from './credentials/types.ts';
import type { PublicCredential } from './credentials/unlock-credential.ts';

/*
 * The element's events (api.md, section 3): `ik-` prefixed, bubbling and composed so a host
 * page can listen anywhere, even across its own shadow roots.
 */

/**
 * Every code `ik-error` can carry. A malformed endpoint answer (`response_invalid`) is
 * reported as `network_error`, and an abort is never reported (the element caused it).
 */
export type IkErrorCode = LoadErrorCode | Exclude<BluetoothUnlockCode, 'aborted'>;

/** api.md: "the credential list". Tickets and keys are left out: page scripts see events. */
export type IkCredentialsDetail = PublicCredential[];

/** The credential as `ik-credentials` hands it to page scripts. */
export function toPublicCredential({ ticket: _t, credential_key: _k, ...rest }: Credential): PublicCredential {
  return rest;
}

export interface IkUnlockDetail {
  credential_id: string;
  entrance: Entrance;
}

export interface IkErrorDetail {
  code: IkErrorCode;
  /** English, for logs; the guest sees the localized text in the element. */
  message: string;
  credential_id?: string;
}

export interface IkUnsupportedDetail {
  reason: UnsupportedReason;
}

export interface InstantKeyEventMap {
  'ik-credentials': CustomEvent<IkCredentialsDetail>;
  'ik-unlock': CustomEvent<IkUnlockDetail>;
  'ik-error': CustomEvent<IkErrorDetail>;
  'ik-unsupported': CustomEvent<IkUnsupportedDetail>;
}

export type InstantKeyEventName = keyof InstantKeyEventMap;

type DetailOf<K extends InstantKeyEventName> = InstantKeyEventMap[K] extends CustomEvent<infer D> ? D : never;

export function ikEvent<K extends InstantKeyEventName>(name: K, detail: DetailOf<K>): CustomEvent<DetailOf<K>> {
  return new CustomEvent(name, { detail, bubbles: true, composed: true });
}

declare global {
  interface HTMLElementEventMap extends InstantKeyEventMap {}
}
