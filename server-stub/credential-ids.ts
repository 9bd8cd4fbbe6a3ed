import { createHash } from 'node:crypto';
import { bytesToUuid, uuidToBytes } from '../src/protocol/bytes.ts';

/** Namespace of credential ids (UUIDv5 over "key:grant:entrance"), fixed forever. */
const CREDENTIAL_NAMESPACE = uuidToBytes('6f1d7c2e-3b5a-5e84-9c0d-2a7b1e4f8c63');

/**
 * The credential id of one (instant key, grant, entrance): a UUIDv5, so stable across
 * requests and restarts without storing it, and distinct for every triple. Per instant key,
 * so that revoking one leaked link puts exactly its phones' credentials on the locks' lists,
 * while a link reissued for the same grant carries credentials of its own.
 */
export function credentialIdFor(instantKeyId: string, accessGrantId: string, acsEntranceId: string): string {
  const hash = createHash('sha1').update(CREDENTIAL_NAMESPACE).update(`${instantKeyId}:${accessGrantId}:${acsEntranceId}`).digest();
  const bytes = new Uint8Array(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}
