/**
 * The server's two constructions under `lock_key` (docs/protocol.md §4 and §5), written from the
 * spec for the clean-room lock's tests: tests hold the lock key, so they issue their own tickets
 * and lock updates.
 */
import { randomBytes } from 'node:crypto';
import { concat, seal, ticketAad, u32, updateAad, uuidBytes, VERSION } from './spec-lock.ts';

export interface TicketFields {
  lockId: string;
  credentialId: string;
  notBefore: number;
  notAfter: number;
  credentialKey: Uint8Array;
  permissions: number;
}

const fresh = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** §4: `0x02 | nonce | seal(lock_key, nonce, ticket_plain, "IK2T" | 0x02)`, 114 bytes. */
export function sealTicket(lockKey: Uint8Array, t: TicketFields, nonce = fresh(24)): Uint8Array {
  const plain = concat(
    uuidBytes(t.lockId),
    uuidBytes(t.credentialId),
    u32(t.notBefore),
    u32(t.notAfter),
    t.credentialKey,
    Uint8Array.of(t.permissions),
  );
  return concat(Uint8Array.of(VERSION), nonce, seal(lockKey, nonce, plain, ticketAad()));
}

/** §5: `0x02 | sequence | nonce | seal(lock_key, nonce, lock_id | ids, "IK2L" | header)`. */
export function sealLockUpdate(
  lockKey: Uint8Array,
  lockId: string,
  sequence: number,
  revoked: readonly string[],
  nonce = fresh(24),
): Uint8Array {
  const header = concat(Uint8Array.of(VERSION), u32(sequence));
  const plain = concat(uuidBytes(lockId), ...revoked.map(uuidBytes));
  return concat(header, nonce, seal(lockKey, nonce, plain, updateAad(header)));
}
