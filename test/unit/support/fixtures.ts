/** Shared builders for the protocol unit tests: the known-answer inputs, clocks and randomness. */
import { hexToBytes } from '../../../src/protocol/bytes.ts';
import type { UnlockCredential } from '../../../src/protocol/session.ts';
import { sealTicket, type TicketContents } from '../../../src/protocol/ticket.ts';
import vectors from '../../vectors.json' with { type: 'json' };

export { vectors };

const i = vectors.inputs;
export const LOCK_ID = i.lock_id;
export const CREDENTIAL_ID = i.credential_id;
export const lockKey = (): Uint8Array => hexToBytes(i.lock_key);
export const credentialKey = (): Uint8Array => hexToBytes(i.credential_key);
export const ticketVector = (): Uint8Array => hexToBytes(vectors.ticket);
export const LOCK_NONCE = (): Uint8Array => hexToBytes(i.lock_nonce);
export const UNLOCK_NONCE = (): Uint8Array => hexToBytes(i.unlock_nonce);
export const RESULT_NONCE = (): Uint8Array => hexToBytes(i.result_nonce);
export const PHONE_NONCE = (): Uint8Array => hexToBytes(i.phone_nonce);
export const lockUpdateVector = (): Uint8Array => hexToBytes(vectors.lock_update);

/** Unix ms inside the vectors' ticket window. */
export const INSIDE_WINDOW_MS = vectors.lock_checks.now_inside_window * 1000;

/** The vectors' ticket contents, with changes. */
export function ticketContents(changes: Partial<TicketContents> = {}): TicketContents {
  return {
    lockId: i.lock_id,
    credentialId: i.credential_id,
    notBefore: i.not_before,
    notAfter: i.not_after,
    credentialKey: credentialKey(),
    permissions: i.permissions,
    ...changes,
  };
}

/** A ticket sealed under the vectors' lock key (or `key`), with changes to its contents. */
export function makeTicket(changes: Partial<TicketContents> = {}, key: Uint8Array = lockKey()): Uint8Array {
  return sealTicket(key, ticketContents(changes));
}

/** The credential the browser holds for the vectors' ticket, with changes. */
export function credential(changes: Partial<UnlockCredential> = {}): UnlockCredential {
  return { credentialId: CREDENTIAL_ID, lockId: LOCK_ID, ticket: ticketVector(), credentialKey: credentialKey(), ...changes };
}

/** A clock that moves only when told to. */
export function manualClock(startMs: number = INSIDE_WINDOW_MS): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A clock that moves `stepMs` every time it is read: time passes as the lock is polled. */
export function tickingClock(stepMs: number, startMs: number = INSIDE_WINDOW_MS): () => number {
  let t = startMs;
  return () => (t += stepMs);
}

/** Deterministic "random" bytes: a counter, so runs are reproducible and nonces differ. */
export function countingRandom(): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => Uint8Array.from({ length: n }, () => counter++ & 0xff);
}

/** The vectors' nonces, by length: 16 for lock_nonce, 24 for the RESULT (lock side). */
export function lockVectorRandom(): (n: number) => Uint8Array {
  return (n) => {
    if (n === 16) return LOCK_NONCE();
    if (n === 24) return RESULT_NONCE();
    throw new Error(`unexpected random length ${n}`);
  };
}

/** The vectors' nonces, by length: 16 for the phone nonce, 24 for the UNLOCK (phone side). */
export function phoneVectorRandom(): (n: number) => Uint8Array {
  return (n) => {
    if (n === 16) return PHONE_NONCE();
    if (n === 24) return UNLOCK_NONCE();
    throw new Error(`unexpected random length ${n}`);
  };
}

/** Flips one bit of a copy of `bytes`. */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}
