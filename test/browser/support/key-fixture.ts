/** A guest's key minted in the page: real tickets (docs/protocol.md) for locks the test then emulates. */
import { bytesToBase64url, randomBytes } from '../../../src/protocol/bytes.ts';
import { sealTicket } from '../../../src/protocol/ticket.ts';
import type { Credential, CredentialsResponse, EntranceKind } from '../../../src/credentials/types.ts';
import type { LockSpec } from '../../../src/testing/browser.ts';

export interface DoorFixture {
  name: string;
  kind?: EntranceKind;
  maxFrame?: number;
  /** Ticket window relative to now, in seconds (default: started a minute ago, one hour long). */
  window?: { fromS: number; toS: number };
  permissions?: number;
}

export interface KeyFixture {
  response: CredentialsResponse;
  locks: LockSpec[];
}

let counter = 0;

function uuid(): string {
  return crypto.randomUUID();
}

export function mintKey(doors: DoorFixture[] = [{ name: 'Room 412' }]): KeyFixture {
  const now = Math.floor(Date.now() / 1000);
  const locks: LockSpec[] = [];
  const credentials: Credential[] = doors.map((door) => {
    const lockKey = randomBytes(32);
    const lockId = uuid();
    const credentialId = uuid();
    const credentialKey = randomBytes(32);
    const notBefore = now + (door.window?.fromS ?? -60);
    const notAfter = now + (door.window?.toS ?? 3600);
    const bleName = `IK-T${String(++counter).padStart(5, '0')}`;
    const spec: LockSpec = { lockId, lockKey: bytesToBase64url(lockKey), name: bleName };
    if (door.maxFrame) spec.maxFrame = door.maxFrame;
    locks.push(spec);
    const ticket = sealTicket(lockKey, {
      lockId,
      credentialId,
      notBefore,
      notAfter,
      credentialKey,
      permissions: door.permissions ?? 1,
    });
    return {
      credential_id: credentialId,
      entrance: { acs_entrance_id: uuid(), display_name: door.name, kind: door.kind ?? 'guest_room' },
      lock: { lock_id: lockId, ble_name: bleName },
      starts_at: new Date((now - 86400) * 1000).toISOString(),
      ends_at: new Date((now + 3 * 86400) * 1000).toISOString(),
      ticket: bytesToBase64url(ticket),
      credential_key: bytesToBase64url(credentialKey),
      ticket_expires_at: new Date(notAfter * 1000).toISOString(),
    };
  });
  return {
    locks,
    response: {
      ok: true,
      instant_key: {
        instant_key_id: uuid(),
        expires_at: new Date((now + 3 * 86400) * 1000).toISOString(),
        user_identity: { display_name: 'Ada Lovelace' },
        customization: {},
      },
      credentials,
      upcoming: [],
      refresh_after_s: 300,
    },
  };
}
