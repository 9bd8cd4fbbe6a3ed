import { base64urlToBytes } from '../protocol/bytes.ts';
import type { UnlockCredential } from '../protocol/session.ts';
import type { Credential } from './types.ts';

/** The wire credential as the IK1 session takes it: bytes decoded at the last moment. */
export function toUnlockCredential(credential: Credential): UnlockCredential {
  return {
    credentialId: credential.credential_id,
    lockId: credential.lock.lock_id,
    ticket: base64urlToBytes(credential.ticket),
    credentialKey: base64urlToBytes(credential.credential_key),
  };
}

/**
 * A credential without its secrets, safe to hand to the host page in an event. Made by
 * `toPublicCredential` in `events.ts`, so that this module (and byte decoding) stays in the
 * lazily loaded unlock engine.
 */
export type PublicCredential = Omit<Credential, 'ticket' | 'credential_key'>;
