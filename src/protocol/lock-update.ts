import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { asciiBytes, bytesToUuid, concatBytes, randomBytes, readU32, uuidToBytes, writeU32 } from './bytes.ts';
import {
  ID_LENGTH,
  KEY_LENGTH,
  LOCK_UPDATE_HEADER_LENGTH,
  MAX_LOCK_UPDATE_LENGTH,
  MAX_UPDATE_ENTRIES,
  MIN_LOCK_UPDATE_LENGTH,
  NONCE_LENGTH,
  PROTOCOL_VERSION,
} from './constants.ts';

/*
 * A lock update (docs/protocol.md, "Lock update"): the server's whole revocation list for one
 * lock, with a sequence number, sealed under that lock's key. Phones carry it to the lock
 * inside HELLO; they can read the sequence (to know whether the lock needs it) but nothing else.
 *
 *   lock_update = 0x02 | sequence u32 | nonce(24)
 *               | seal(lock_key, nonce, lock_id | credential_id x n, "IK2L" | 0x02 | sequence)
 */

const UPDATE_LABEL = asciiBytes('IK2L');

/** What a lock update says: the complete list of revoked credentials for `lockId`, as of `sequence`. */
export interface LockUpdateContents {
  lockId: string;
  /** 1..2^32-1; a lock applies only a sequence above the one it holds. */
  sequence: number;
  /** Lowercase UUIDs, at most 100. */
  revoked: string[];
}

/** Why a lock refused an update; the HELLO carrying it is judged regardless. */
export type UpdateRefusal = 'malformed' | 'unsupported_version' | 'forged' | 'other_lock' | 'stale';

function updateAad(header: Uint8Array): Uint8Array {
  return concatBytes(UPDATE_LABEL, header);
}

/** Seals a lock update under the lock's key. Server side only. */
export function sealLockUpdate(
  lockKey: Uint8Array,
  update: LockUpdateContents,
  nonce: Uint8Array = randomBytes(NONCE_LENGTH),
): Uint8Array {
  if (!(lockKey instanceof Uint8Array) || lockKey.length !== KEY_LENGTH) throw new RangeError('lock_key must be 32 bytes');
  if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_LENGTH) throw new RangeError('nonce must be 24 bytes');
  if (!Number.isInteger(update.sequence) || update.sequence < 1 || update.sequence > 0xffffffff) {
    throw new RangeError('sequence must be an integer from 1 to 2^32-1');
  }
  if (update.revoked.length > MAX_UPDATE_ENTRIES) throw new RangeError(`a lock update lists at most ${MAX_UPDATE_ENTRIES} credentials`);
  const header = concatBytes(Uint8Array.of(PROTOCOL_VERSION), writeU32(update.sequence));
  const plain = concatBytes(uuidToBytes(update.lockId), ...update.revoked.map(uuidToBytes));
  const sealed = xchacha20poly1305(lockKey, nonce, updateAad(header)).encrypt(plain);
  return concatBytes(header, nonce, sealed);
}

/**
 * Whether `bytes` has the length of a version-2 lock update (the phone checks this before it
 * carries one; the lock, before it tries to open one).
 */
export function isLockUpdateLength(length: number): boolean {
  return length >= MIN_LOCK_UPDATE_LENGTH && length <= MAX_LOCK_UPDATE_LENGTH && (length - MIN_LOCK_UPDATE_LENGTH) % ID_LENGTH === 0;
}

/**
 * The sequence a lock update claims, read from its clear header without any key (phone side:
 * is it newer than the lock's?); null when the bytes are no version-2 lock update. Unauthenticated:
 * only the lock can tell whether it is true.
 */
export function lockUpdateSequence(bytes: Uint8Array): number | null {
  if (!(bytes instanceof Uint8Array) || bytes[0] !== PROTOCOL_VERSION || !isLockUpdateLength(bytes.length)) return null;
  return readU32(bytes, 1);
}

export type OpenLockUpdateResult =
  | { ok: true; update: LockUpdateContents }
  | { ok: false; reason: Exclude<UpdateRefusal, 'other_lock' | 'stale'> };

/**
 * Opens a lock update with the lock's key (lock side). Whether it is for this lock and newer
 * than the list held is the caller's to judge (`judgeLockUpdate`).
 */
export function openLockUpdate(lockKey: Uint8Array, bytes: Uint8Array): OpenLockUpdateResult {
  if (bytes.length === 0) return { ok: false, reason: 'malformed' };
  if (bytes[0] !== PROTOCOL_VERSION) return { ok: false, reason: 'unsupported_version' };
  if (!isLockUpdateLength(bytes.length)) return { ok: false, reason: 'malformed' };
  const header = bytes.subarray(0, LOCK_UPDATE_HEADER_LENGTH);
  const nonce = bytes.subarray(LOCK_UPDATE_HEADER_LENGTH, LOCK_UPDATE_HEADER_LENGTH + NONCE_LENGTH);
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(lockKey, nonce, updateAad(header)).decrypt(bytes.subarray(LOCK_UPDATE_HEADER_LENGTH + NONCE_LENGTH));
  } catch {
    return { ok: false, reason: 'forged' };
  }
  const revoked: string[] = [];
  for (let at = ID_LENGTH; at < plain.length; at += ID_LENGTH) revoked.push(bytesToUuid(plain.subarray(at, at + ID_LENGTH)));
  return { ok: true, update: { lockId: bytesToUuid(plain.subarray(0, ID_LENGTH)), sequence: readU32(header, 1), revoked } };
}

/**
 * The whole lock-side rule for an update: apply it only when it is authentic, for this lock
 * and newer than the sequence held.
 */
export function judgeLockUpdate(
  lockKey: Uint8Array,
  lockId: string,
  heldSequence: number,
  bytes: Uint8Array,
): { ok: true; update: LockUpdateContents } | { ok: false; reason: UpdateRefusal; sequence: number | null } {
  const opened = openLockUpdate(lockKey, bytes);
  // The claimed sequence, for the audit log: bytes 1-4 whenever there are that many.
  if (!opened.ok) return { ...opened, sequence: bytes.length >= 5 ? readU32(bytes, 1) : null };
  const { update } = opened;
  if (update.lockId !== lockId) return { ok: false, reason: 'other_lock', sequence: update.sequence };
  if (update.sequence <= heldSequence) return { ok: false, reason: 'stale', sequence: update.sequence };
  return opened;
}
