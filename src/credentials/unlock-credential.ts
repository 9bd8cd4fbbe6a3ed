import { base64urlToBytes } from '../protocol/bytes.ts';
import { lockUpdateSequence } from '../protocol/lock-update.ts';
import type { UnlockCredential } from '../protocol/session.ts';
import type { Credential } from './types.ts';

/**
 * The wire credential as the unlock session takes it: bytes decoded at the last moment. A lock
 * update of a version this phone does not speak is left behind (the lock could not use it).
 */
export function toUnlockCredential(credential: Credential): UnlockCredential {
  const update = credential.lock_update === undefined ? null : base64urlToBytes(credential.lock_update);
  return {
    credentialId: credential.credential_id,
    lockId: credential.lock.lock_id,
    ticket: base64urlToBytes(credential.ticket),
    credentialKey: base64urlToBytes(credential.credential_key),
    ...(update !== null && lockUpdateSequence(update) !== null ? { lockUpdate: update } : {}),
  };
}

/**
 * A credential without its secrets, safe to hand to the host page in an event. Made by
 * `toPublicCredential` in `events.ts`, so that this module (and byte decoding) stays in the
 * lazily loaded unlock engine.
 */
export type PublicCredential = Omit<Credential, 'ticket' | 'credential_key'>;
