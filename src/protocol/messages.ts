import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { asciiBytes, bytesToUuid, concatBytes, equalBytes, randomBytes, readU32, uuidToBytes, writeU32 } from './bytes.ts';
import {
  ID_LENGTH,
  KEY_LENGTH,
  LOCK_NONCE_LENGTH,
  MAX_MAX_FRAME,
  MIN_MAX_FRAME,
  NONCE_LENGTH,
  PHONE_NONCE_LENGTH,
  PROTOCOL_VERSION,
  TAG_LENGTH,
  TICKET_LENGTH,
} from './constants.ts';
import { isLockUpdateLength } from './lock-update.ts';
import { isAuthenticatedStatus, Status, statusName, type StatusName } from './status.ts';

/** The first byte of every message (docs/protocol.md, "Messages"). */
export const MessageType = {
  HELLO: 0x01,
  CHALLENGE: 0x02,
  UNLOCK: 0x03,
  RESULT: 0x04,
} as const;

/** The only command UNLOCK carries: unlock. */
export const UNLOCK_COMMAND = 0x01;

export const INFO_LENGTH = 1 + ID_LENGTH + 2 + 4;
/** HELLO without a lock update. */
export const HELLO_LENGTH = 1 + PHONE_NONCE_LENGTH + TICKET_LENGTH;
export const CHALLENGE_LENGTH = 1 + LOCK_NONCE_LENGTH;
export const UNLOCK_LENGTH = 1 + NONCE_LENGTH + 1 + TAG_LENGTH;
export const RESULT_LENGTH = 2;
/** The sealed RESULT that answers an UNLOCK: the phone knows the lock nonce from the CHALLENGE. */
export const SEALED_RESULT_LENGTH = 2 + NONCE_LENGTH + TAG_LENGTH;
/** The sealed RESULT that refuses a HELLO: it names the session's lock nonce, never sent before. */
export const SEALED_REFUSAL_LENGTH = SEALED_RESULT_LENGTH + LOCK_NONCE_LENGTH;

/** One label per direction, so that nothing the phone seals opens as the lock's, or back. */
const UNLOCK_LABEL = asciiBytes('IK2U');
const RESULT_LABEL = asciiBytes('IK2R');

function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) throw new RangeError(`${name} must be ${length} bytes`);
}

// ---------------------------------------------------------------------------------------------
// info characteristic

/** What the lock's `info` characteristic says about it. */
export interface LockInfo {
  version: number;
  /** Lowercase UUID. */
  lockId: string;
  /** Largest frame the lock accepts, 20..512. */
  maxFrame: number;
  /** The sequence of the newest lock update the lock has applied; 0 for none. */
  updateSequence: number;
}

export type InfoParseResult =
  | ({ ok: true } & LockInfo)
  | { ok: false; reason: 'length' | 'version' | 'max_frame' };

/** Encodes `version | lock_id | max_frame u16 | update_sequence u32` (lock side). */
export function encodeInfo(lockId: string, maxFrame: number, updateSequence: number): Uint8Array {
  if (!Number.isInteger(maxFrame) || maxFrame < MIN_MAX_FRAME || maxFrame > MAX_MAX_FRAME) {
    throw new RangeError(`maxFrame must be an integer from ${MIN_MAX_FRAME} to ${MAX_MAX_FRAME}`);
  }
  return concatBytes(
    Uint8Array.of(PROTOCOL_VERSION),
    uuidToBytes(lockId),
    Uint8Array.of(maxFrame >> 8, maxFrame & 0xff),
    writeU32(updateSequence),
  );
}

/**
 * Parses the `info` characteristic. The version is judged before the length, so a lock that
 * speaks another version (whose info may be longer or shorter) is reported as such.
 */
export function parseInfo(bytes: Uint8Array): InfoParseResult {
  assertBytes(bytes, 'info');
  if (bytes.length === 0) return { ok: false, reason: 'length' };
  if (bytes[0] !== PROTOCOL_VERSION) return { ok: false, reason: 'version' };
  if (bytes.length !== INFO_LENGTH) return { ok: false, reason: 'length' };
  const maxFrame = (bytes[17]! << 8) | bytes[18]!;
  if (maxFrame < MIN_MAX_FRAME || maxFrame > MAX_MAX_FRAME) return { ok: false, reason: 'max_frame' };
  return {
    ok: true,
    version: PROTOCOL_VERSION,
    lockId: bytesToUuid(bytes.subarray(1, 17)),
    maxFrame,
    updateSequence: readU32(bytes, 19),
  };
}

// ---------------------------------------------------------------------------------------------
// Session binding: what ties UNLOCK and an authenticated RESULT to one credential and one session

/** The inputs both sides use to seal and open UNLOCK and authenticated RESULTs. */
export interface SessionBinding {
  /** The 32-byte key from the ticket. */
  credentialKey: Uint8Array;
  credentialId: string;
  /** The HELLO's 16 bytes, chosen by the phone. */
  phoneNonce: Uint8Array;
  /** The lock's 16 bytes for this session (sent in CHALLENGE, or in an early RESULT). */
  lockNonce: Uint8Array;
}

/** `label | version | phone_nonce | lock_nonce | credential_id`: the common part of both AADs. */
function sessionAad(label: Uint8Array, b: SessionBinding): Uint8Array {
  assertBytes(b.credentialKey, 'credentialKey', KEY_LENGTH);
  assertBytes(b.phoneNonce, 'phoneNonce', PHONE_NONCE_LENGTH);
  assertBytes(b.lockNonce, 'lockNonce', LOCK_NONCE_LENGTH);
  return concatBytes(label, Uint8Array.of(PROTOCOL_VERSION), b.phoneNonce, b.lockNonce, uuidToBytes(b.credentialId));
}

// ---------------------------------------------------------------------------------------------
// Phone -> lock

/**
 * HELLO: `0x01 | phone_nonce | ticket [| lock_update]`. The update is carried only when the
 * lock's `info` says it holds an older one.
 */
export function encodeHello(phoneNonce: Uint8Array, ticket: Uint8Array, lockUpdate?: Uint8Array): Uint8Array {
  assertBytes(phoneNonce, 'phoneNonce', PHONE_NONCE_LENGTH);
  assertBytes(ticket, 'ticket', TICKET_LENGTH);
  if (lockUpdate !== undefined) {
    assertBytes(lockUpdate, 'lockUpdate');
    if (!isLockUpdateLength(lockUpdate.length)) throw new RangeError('lockUpdate has no lock update length');
  }
  return concatBytes(Uint8Array.of(MessageType.HELLO), phoneNonce, ticket, lockUpdate ?? new Uint8Array(0));
}

/** UNLOCK: `0x03 | nonce | seal(credential_key, nonce, 0x01, "IK2U" | 0x02 | phone_nonce | lock_nonce | credential_id)`. */
export function encodeUnlock(binding: SessionBinding, nonce: Uint8Array = randomBytes(NONCE_LENGTH)): Uint8Array {
  assertBytes(nonce, 'nonce', NONCE_LENGTH);
  const sealed = xchacha20poly1305(binding.credentialKey, nonce, sessionAad(UNLOCK_LABEL, binding)).encrypt(
    Uint8Array.of(UNLOCK_COMMAND),
  );
  return concatBytes(Uint8Array.of(MessageType.UNLOCK), nonce, sealed);
}

/** A whole message as the lock sees it, before any key is involved. */
export type LockRequest =
  | { type: 'hello'; phoneNonce: Uint8Array; ticket: Uint8Array; lockUpdate: Uint8Array | null }
  /** A HELLO too short to hold a phone nonce and a ticket's version byte. */
  | { type: 'hello_malformed' }
  | { type: 'unlock'; message: Uint8Array }
  | { type: 'other' };

/**
 * Sorts a message the lock received by its type byte and splits a HELLO into its parts; the
 * contents are judged later. A HELLO's ticket is everything up to 114 bytes after the phone
 * nonce (a shorter one is then `BAD_TICKET`, or `UNSUPPORTED_VERSION` by its first byte), and
 * anything after it is the lock update.
 */
export function parseRequest(message: Uint8Array): LockRequest {
  assertBytes(message, 'message');
  switch (message[0]) {
    case MessageType.HELLO: {
      if (message.length < 1 + PHONE_NONCE_LENGTH + 1) return { type: 'hello_malformed' };
      return {
        type: 'hello',
        phoneNonce: message.slice(1, 1 + PHONE_NONCE_LENGTH),
        ticket: message.subarray(1 + PHONE_NONCE_LENGTH, HELLO_LENGTH),
        lockUpdate: message.length > HELLO_LENGTH ? message.subarray(HELLO_LENGTH) : null,
      };
    }
    case MessageType.UNLOCK:
      return { type: 'unlock', message };
    default:
      return { type: 'other' };
  }
}

/**
 * Opens an UNLOCK for this session (lock side). Fails on any change to the message, on the
 * wrong key, credential or session: all of them are `BAD_PROOF` to the lock.
 */
export function openUnlock(message: Uint8Array, binding: SessionBinding): { ok: true; command: number } | { ok: false } {
  assertBytes(message, 'message');
  const aad = sessionAad(UNLOCK_LABEL, binding);
  if (message.length !== UNLOCK_LENGTH || message[0] !== MessageType.UNLOCK) return { ok: false };
  try {
    const plain = xchacha20poly1305(binding.credentialKey, message.subarray(1, 1 + NONCE_LENGTH), aad).decrypt(
      message.subarray(1 + NONCE_LENGTH),
    );
    return { ok: true, command: plain[0]! };
  } catch {
    return { ok: false };
  }
}

// ---------------------------------------------------------------------------------------------
// Lock -> phone

function statusCode(status: StatusName): number {
  const code: number | undefined = Status[status];
  if (code === undefined) throw new TypeError(`unknown status ${String(status)}`);
  return code;
}

/** CHALLENGE: `0x02 | lock_nonce`. */
export function encodeChallenge(lockNonce: Uint8Array): Uint8Array {
  assertBytes(lockNonce, 'lockNonce', LOCK_NONCE_LENGTH);
  return concatBytes(Uint8Array.of(MessageType.CHALLENGE), lockNonce);
}

/**
 * The 2-byte RESULT, for statuses sent before the lock has opened a ticket.
 * @throws TypeError for a status that must be authenticated (use `sealResult`).
 */
export function encodeResult(status: StatusName): Uint8Array {
  const code = statusCode(status);
  if (isAuthenticatedStatus(code)) throw new TypeError(`${status} must be sent authenticated`);
  return Uint8Array.of(MessageType.RESULT, code);
}

function resultAad(b: SessionBinding, code: number): Uint8Array {
  return concatBytes(sessionAad(RESULT_LABEL, b), Uint8Array.of(code));
}

/**
 * An authenticated RESULT, tag = seal(credential_key, nonce, empty, "IK2R" | 0x02 |
 * phone_nonce | lock_nonce | credential_id | status). In answer to UNLOCK (`form: 'unlock'`):
 * `0x04 | status | nonce | tag`, 42 bytes; refusing a HELLO (`form: 'hello'`), the lock nonce
 * goes along: `0x04 | status | lock_nonce | nonce | tag`, 58 bytes.
 * @throws TypeError for a status the table lists as unauthenticated (use `encodeResult`).
 */
export function sealResult(
  status: StatusName,
  binding: SessionBinding,
  form: 'hello' | 'unlock',
  nonce: Uint8Array = randomBytes(NONCE_LENGTH),
): Uint8Array {
  const code = statusCode(status);
  if (!isAuthenticatedStatus(code)) throw new TypeError(`${status} is sent unauthenticated`);
  assertBytes(nonce, 'nonce', NONCE_LENGTH);
  const tag = xchacha20poly1305(binding.credentialKey, nonce, resultAad(binding, code)).encrypt(new Uint8Array(0));
  const named = form === 'hello' ? binding.lockNonce : new Uint8Array(0);
  return concatBytes(Uint8Array.of(MessageType.RESULT, code), named, nonce, tag);
}

/**
 * A RESULT as received; `seal` is null for the 2-byte form, and its `lockNonce` null for the
 * form that answers an UNLOCK. Not yet authenticated.
 */
export interface ResultReply {
  type: 'result';
  status: StatusName;
  seal: { lockNonce: Uint8Array | null; nonce: Uint8Array; tag: Uint8Array } | null;
}

/** Why a reply is not a message the phone can act on. */
export type InvalidReplyReason = 'unknown_type' | 'length' | 'unknown_status' | 'sealed_unauthenticated_status';

/** A whole message as the phone sees it. */
export type LockReply =
  | { type: 'challenge'; lockNonce: Uint8Array }
  | ResultReply
  | { type: 'invalid'; reason: InvalidReplyReason };

/** Parses a lock's reply (phone side); never throws for bad bytes. */
export function parseReply(message: Uint8Array): LockReply {
  assertBytes(message, 'message');
  switch (message[0]) {
    case MessageType.CHALLENGE:
      if (message.length !== CHALLENGE_LENGTH) return { type: 'invalid', reason: 'length' };
      return { type: 'challenge', lockNonce: message.slice(1) };
    case MessageType.RESULT: {
      if (message.length !== RESULT_LENGTH && message.length !== SEALED_RESULT_LENGTH && message.length !== SEALED_REFUSAL_LENGTH) {
        return { type: 'invalid', reason: 'length' };
      }
      const status = statusName(message[1]!);
      if (status === undefined) return { type: 'invalid', reason: 'unknown_status' };
      if (message.length === RESULT_LENGTH) return { type: 'result', status, seal: null };
      // The table fixes which statuses carry a tag; a tag on any other is not this protocol.
      if (!isAuthenticatedStatus(message[1]!)) return { type: 'invalid', reason: 'sealed_unauthenticated_status' };
      const nonceAt = message.length === SEALED_REFUSAL_LENGTH ? 2 + LOCK_NONCE_LENGTH : 2;
      return {
        type: 'result',
        status,
        seal: {
          lockNonce: nonceAt === 2 ? null : message.slice(2, nonceAt),
          nonce: message.slice(nonceAt, nonceAt + NONCE_LENGTH),
          tag: message.slice(nonceAt + NONCE_LENGTH),
        },
      };
    }
    default:
      return { type: 'invalid', reason: 'unknown_type' };
  }
}

/**
 * True only when the RESULT carries a tag that opens for this credential, this session's
 * phone nonce and `binding.lockNonce` (which a RESULT of the HELLO form must also name): it
 * came from a lock that opened this credential's ticket in answer to this very HELLO. Which
 * form the step expects is the caller's to check. The AEAD open is the (constant-time) tag
 * comparison.
 */
export function authenticateResult(result: ResultReply, binding: SessionBinding): boolean {
  const aad = resultAad(binding, Status[result.status]);
  if (result.seal === null) return false;
  if (result.seal.lockNonce !== null && !equalBytes(result.seal.lockNonce, binding.lockNonce)) return false;
  try {
    xchacha20poly1305(binding.credentialKey, result.seal.nonce, aad).decrypt(result.seal.tag);
    return true;
  } catch {
    return false;
  }
}
