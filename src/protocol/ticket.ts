import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { asciiBytes, bytesToUuid, concatBytes, randomBytes, readU32, uuidToBytes, writeU32 } from './bytes.ts';
import { ID_LENGTH, KEY_LENGTH, NONCE_LENGTH, PROTOCOL_VERSION, TICKET_LENGTH, TICKET_PLAIN_LENGTH } from './constants.ts';

/** The ticket's associated data: its label and its version byte (docs/protocol.md, "Ticket"). */
export const TICKET_AAD = concatBytes(asciiBytes('IK2T'), Uint8Array.of(PROTOCOL_VERSION));

/** What a ticket grants: one credential on one lock for a window (docs/protocol.md, "Ticket"). */
export interface TicketContents {
  lockId: string;
  credentialId: string;
  /** Unix seconds. */
  notBefore: number;
  /** Unix seconds. */
  notAfter: number;
  credentialKey: Uint8Array;
  permissions: number;
}

/** Seals a ticket under the lock's key. Server side only: the browser never holds `lockKey`. */
export function sealTicket(lockKey: Uint8Array, t: TicketContents, nonce: Uint8Array = randomBytes(NONCE_LENGTH)): Uint8Array {
  if (lockKey.length !== KEY_LENGTH) throw new RangeError('lock_key must be 32 bytes');
  if (t.credentialKey.length !== KEY_LENGTH) throw new RangeError('credential_key must be 32 bytes');
  if (nonce.length !== NONCE_LENGTH) throw new RangeError('nonce must be 24 bytes');
  if (!Number.isInteger(t.permissions) || t.permissions < 0 || t.permissions > 0xff) {
    throw new RangeError('permissions must be one byte');
  }
  const plain = concatBytes(
    uuidToBytes(t.lockId),
    uuidToBytes(t.credentialId),
    writeU32(t.notBefore),
    writeU32(t.notAfter),
    t.credentialKey,
    Uint8Array.of(t.permissions),
  );
  const sealed = xchacha20poly1305(lockKey, nonce, TICKET_AAD).encrypt(plain);
  return concatBytes(Uint8Array.of(PROTOCOL_VERSION), nonce, sealed);
}

export type OpenTicketResult =
  | { ok: true; ticket: TicketContents }
  | { ok: false; reason: 'unsupported_version' | 'bad_ticket' };

/** Opens a ticket with the lock's key; any change to its bytes makes it `bad_ticket`. */
export function openTicket(lockKey: Uint8Array, ticket: Uint8Array): OpenTicketResult {
  if (ticket.length < 1) return { ok: false, reason: 'bad_ticket' };
  if (ticket[0] !== PROTOCOL_VERSION) return { ok: false, reason: 'unsupported_version' };
  if (ticket.length !== TICKET_LENGTH) return { ok: false, reason: 'bad_ticket' };
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(lockKey, ticket.subarray(1, 1 + NONCE_LENGTH), TICKET_AAD).decrypt(
      ticket.subarray(1 + NONCE_LENGTH),
    );
  } catch {
    return { ok: false, reason: 'bad_ticket' };
  }
  if (plain.length !== TICKET_PLAIN_LENGTH) return { ok: false, reason: 'bad_ticket' };
  return {
    ok: true,
    ticket: {
      lockId: bytesToUuid(plain.subarray(0, ID_LENGTH)),
      credentialId: bytesToUuid(plain.subarray(ID_LENGTH, 2 * ID_LENGTH)),
      notBefore: readU32(plain, 32),
      notAfter: readU32(plain, 36),
      credentialKey: plain.slice(40, 40 + KEY_LENGTH),
      permissions: plain[72]!,
    },
  };
}
