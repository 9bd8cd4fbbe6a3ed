import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { asciiBytes, bytesToUuid, concatBytes, randomBytes, uuidToBytes } from './bytes.ts';
import {
  ID_LENGTH,
  IK1_VERSION,
  KEY_LENGTH,
  LOCK_NONCE_LENGTH,
  MAX_MAX_FRAME,
  MIN_MAX_FRAME,
  NONCE_LENGTH,
  TICKET_LENGTH,
} from './constants.ts';
import { isAuthenticatedStatus, Status, statusName, type StatusName } from './status.ts';

/** The first byte of every IK1 message (protocol.md, "Messages"). */
export const MessageType = {
  HELLO: 0x01,
  CHALLENGE: 0x02,
  UNLOCK: 0x03,
  RESULT: 0x04,
} as const;

/** The only command UNLOCK carries: unlock. */
export const UNLOCK_COMMAND = 0x01;

const TAG_LENGTH = 16;
export const INFO_LENGTH = 1 + ID_LENGTH + 2;
export const CHALLENGE_LENGTH = 1 + LOCK_NONCE_LENGTH;
export const UNLOCK_LENGTH = 1 + NONCE_LENGTH + 1 + TAG_LENGTH;
export const RESULT_LENGTH = 2;
export const SEALED_RESULT_LENGTH = 2 + NONCE_LENGTH + TAG_LENGTH;

const UNLOCK_AAD = asciiBytes('IK1U');
const RESULT_AAD = asciiBytes('IK1R');

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
}

export type InfoParseResult =
  | ({ ok: true } & LockInfo)
  | { ok: false; reason: 'length' | 'version' | 'max_frame' };

/** Encodes `version | lock_id | max_frame u16` (lock side). */
export function encodeInfo(lockId: string, maxFrame: number): Uint8Array {
  if (!Number.isInteger(maxFrame) || maxFrame < MIN_MAX_FRAME || maxFrame > MAX_MAX_FRAME) {
    throw new RangeError(`maxFrame must be an integer from ${MIN_MAX_FRAME} to ${MAX_MAX_FRAME}`);
  }
  return concatBytes(Uint8Array.of(IK1_VERSION), uuidToBytes(lockId), Uint8Array.of(maxFrame >> 8, maxFrame & 0xff));
}

/**
 * Parses the `info` characteristic. The version is judged before the length, so a lock that
 * speaks a later version (whose info may be longer) is reported as such.
 */
export function parseInfo(bytes: Uint8Array): InfoParseResult {
  assertBytes(bytes, 'info');
  if (bytes.length === 0) return { ok: false, reason: 'length' };
  if (bytes[0] !== IK1_VERSION) return { ok: false, reason: 'version' };
  if (bytes.length !== INFO_LENGTH) return { ok: false, reason: 'length' };
  const maxFrame = (bytes[17]! << 8) | bytes[18]!;
  if (maxFrame < MIN_MAX_FRAME || maxFrame > MAX_MAX_FRAME) return { ok: false, reason: 'max_frame' };
  return { ok: true, version: IK1_VERSION, lockId: bytesToUuid(bytes.subarray(1, 17)), maxFrame };
}

// ---------------------------------------------------------------------------------------------
// Session binding: what ties UNLOCK and an authenticated RESULT to one credential and one session

/** The inputs both sides use to seal and open UNLOCK and authenticated RESULTs. */
export interface SessionBinding {
  /** The 32-byte key from the ticket. */
  credentialKey: Uint8Array;
  credentialId: string;
  /** The CHALLENGE's 16 bytes, or zeros for a RESULT sent before any CHALLENGE. */
  lockNonce: Uint8Array;
}

function checkBinding(b: SessionBinding): Uint8Array {
  assertBytes(b.credentialKey, 'credentialKey', KEY_LENGTH);
  assertBytes(b.lockNonce, 'lockNonce', LOCK_NONCE_LENGTH);
  return uuidToBytes(b.credentialId);
}

function unlockAad(b: SessionBinding): Uint8Array {
  return concatBytes(UNLOCK_AAD, b.lockNonce, checkBinding(b));
}

function resultAad(b: SessionBinding, code: number): Uint8Array {
  return concatBytes(RESULT_AAD, b.lockNonce, checkBinding(b), Uint8Array.of(code));
}

// ---------------------------------------------------------------------------------------------
// Browser -> lock

/** HELLO: `0x01 | ticket`. */
export function encodeHello(ticket: Uint8Array): Uint8Array {
  assertBytes(ticket, 'ticket', TICKET_LENGTH);
  return concatBytes(Uint8Array.of(MessageType.HELLO), ticket);
}

/** UNLOCK: `0x03 | nonce | seal(credential_key, nonce, 0x01, "IK1U" | lock_nonce | credential_id)`. */
export function encodeUnlock(binding: SessionBinding, nonce: Uint8Array = randomBytes(NONCE_LENGTH)): Uint8Array {
  assertBytes(nonce, 'nonce', NONCE_LENGTH);
  const sealed = xchacha20poly1305(binding.credentialKey, nonce, unlockAad(binding)).encrypt(
    Uint8Array.of(UNLOCK_COMMAND),
  );
  return concatBytes(Uint8Array.of(MessageType.UNLOCK), nonce, sealed);
}

/** A whole message as the lock sees it, before any key is involved. */
export type LockRequest =
  | { type: 'hello'; ticket: Uint8Array }
  | { type: 'unlock'; message: Uint8Array }
  | { type: 'other' };

/** Sorts a message the lock received by its type byte; the contents are judged later. */
export function parseRequest(message: Uint8Array): LockRequest {
  assertBytes(message, 'message');
  switch (message[0]) {
    case MessageType.HELLO:
      return { type: 'hello', ticket: message.subarray(1) };
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
export function openUnlock(
  message: Uint8Array,
  binding: SessionBinding,
): { ok: true; command: number } | { ok: false } {
  assertBytes(message, 'message');
  const aad = unlockAad(binding);
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
// Lock -> browser

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

/**
 * The authenticated RESULT: `0x04 | status | nonce | seal(credential_key, nonce, empty,
 * "IK1R" | lock_nonce | credential_id | status)`.
 * @throws TypeError for a status the table lists as unauthenticated (use `encodeResult`).
 */
export function sealResult(
  status: StatusName,
  binding: SessionBinding,
  nonce: Uint8Array = randomBytes(NONCE_LENGTH),
): Uint8Array {
  const code = statusCode(status);
  if (!isAuthenticatedStatus(code)) throw new TypeError(`${status} is sent unauthenticated`);
  assertBytes(nonce, 'nonce', NONCE_LENGTH);
  const tag = xchacha20poly1305(binding.credentialKey, nonce, resultAad(binding, code)).encrypt(new Uint8Array(0));
  return concatBytes(Uint8Array.of(MessageType.RESULT, code), nonce, tag);
}

/** A RESULT as received; `seal` is null for the 2-byte form. Not yet authenticated. */
export interface ResultReply {
  type: 'result';
  status: StatusName;
  seal: { nonce: Uint8Array; tag: Uint8Array } | null;
}

/** Why a reply is not an IK1 message the browser can act on. */
export type InvalidReplyReason = 'unknown_type' | 'length' | 'unknown_status' | 'sealed_unauthenticated_status';

/** A whole message as the browser sees it. */
export type LockReply =
  | { type: 'challenge'; lockNonce: Uint8Array }
  | ResultReply
  | { type: 'invalid'; reason: InvalidReplyReason };

/** Parses a lock's reply (browser side); never throws for bad bytes. */
export function parseReply(message: Uint8Array): LockReply {
  assertBytes(message, 'message');
  switch (message[0]) {
    case MessageType.CHALLENGE:
      if (message.length !== CHALLENGE_LENGTH) return { type: 'invalid', reason: 'length' };
      return { type: 'challenge', lockNonce: message.slice(1) };
    case MessageType.RESULT: {
      if (message.length !== RESULT_LENGTH && message.length !== SEALED_RESULT_LENGTH) {
        return { type: 'invalid', reason: 'length' };
      }
      const status = statusName(message[1]!);
      if (status === undefined) return { type: 'invalid', reason: 'unknown_status' };
      if (message.length === RESULT_LENGTH) return { type: 'result', status, seal: null };
      // The table fixes which statuses carry a tag; a tag on any other is not IK1.
      if (!isAuthenticatedStatus(message[1]!)) return { type: 'invalid', reason: 'sealed_unauthenticated_status' };
      return {
        type: 'result',
        status,
        seal: { nonce: message.slice(2, 2 + NONCE_LENGTH), tag: message.slice(2 + NONCE_LENGTH) },
      };
    }
    default:
      return { type: 'invalid', reason: 'unknown_type' };
  }
}

/**
 * True only when the RESULT carries a tag that opens with this session's binding, i.e. it came
 * from a lock that opened this credential's ticket in this session. The AEAD open is the
 * (constant-time) tag comparison.
 */
export function authenticateResult(result: ResultReply, binding: SessionBinding): boolean {
  const aad = resultAad(binding, Status[result.status]);
  if (result.seal === null) return false;
  try {
    xchacha20poly1305(binding.credentialKey, result.seal.nonce, aad).decrypt(result.seal.tag);
    return true;
  } catch {
    return false;
  }
}
