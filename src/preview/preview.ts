/*
 * The preview transport (`<instant-key preview>`): sample doors whose tickets are sealed in the
 * page for virtual locks that also live in the page, so the real IK1 exchange runs over a
 * MemoryTransport in any browser, no server, no Bluetooth. Loaded on demand: it carries the
 * lock side of the protocol, which the guest's path never needs.
 */
import type { BluetoothUnlockResult } from '../ble/unlock.ts';
import { CredentialsError, CredentialsErrorCode } from '../credentials/errors.ts';
import type { Credential, CredentialsResponse, Entrance, EntranceKind } from '../credentials/types.ts';
import { toUnlockCredential } from '../credentials/unlock-credential.ts';
import { hint } from '../hints.ts';
// Through the key view, which the preview shows anyway: one chunk, not a shared third one.
import { enKey, isMessageKey } from '../view/key.ts';
import { bytesToBase64url, randomBytes } from '../protocol/bytes.ts';
import { unlockWithTransport } from '../protocol/session.ts';
import { sealTicket } from '../protocol/ticket.ts';
import { MemoryTransport } from '../testing/memory-transport.ts';
import { VirtualLock } from '../testing/virtual-lock.ts';

const DOORS: Array<[string, EntranceKind, Partial<Entrance>]> = [
  ['Room 412', 'guest_room', { floor: '4', room_type: 'Deluxe king' }],
  ['Elevator', 'elevator', { location: 'Lobby' }],
  ['Gym', 'amenity', { hours: '06:00-22:00', location: 'Level 2, east wing' }],
  ['Main entrance', 'common_area', {}],
];
const DAY_S = 86_400;
/** Long enough to see `unlocking` in a preview; a real lock takes about as long. */
const PREVIEW_LATENCY_MS = 600;

const locks = new Map<string, VirtualLock>();
let response: CredentialsResponse | undefined;

/**
 * The sample key: one door of each kind and one upcoming, with real tickets. When `failWith`
 * (the `preview` attribute) names a load failure (`link_revoked`, `network_offline`, …), that
 * is thrown instead, to show the link's state.
 */
export function previewResponse(failWith = ''): CredentialsResponse {
  warnIfUnknown(failWith);
  if ((Object.values(CredentialsErrorCode) as string[]).includes(failWith)) {
    throw new CredentialsError(failWith as CredentialsErrorCode, `Preview: ${failWith}`);
  }
  if (response) return response;
  const now = Math.floor(Date.now() / 1000);
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  const credentials = DOORS.map(([name, kind, details], i): Credential => {
    const lockId = crypto.randomUUID();
    const lockKey = randomBytes(32);
    const credentialKey = randomBytes(32);
    const credentialId = crypto.randomUUID();
    const bleName = `IK-PREVIEW${i}`;
    locks.set(lockId, new VirtualLock({ lockId, lockKey, name: bleName }));
    const ticket = sealTicket(lockKey, { lockId, credentialId, notBefore: now - 60, notAfter: now + DAY_S, credentialKey, permissions: 1 });
    return {
      credential_id: credentialId,
      entrance: { acs_entrance_id: crypto.randomUUID(), display_name: name, kind, ...details },
      lock: { lock_id: lockId, ble_name: bleName },
      starts_at: iso(now - DAY_S),
      ends_at: iso(now + 3 * DAY_S),
      ticket: bytesToBase64url(ticket),
      credential_key: bytesToBase64url(credentialKey),
      ticket_expires_at: iso(now + DAY_S),
    };
  });
  response = {
    ok: true,
    instant_key: {
      instant_key_id: crypto.randomUUID(),
      expires_at: iso(now + 3 * DAY_S),
      user_identity: { display_name: 'Ada Lovelace' },
      customization: { hotel_name: 'Hotel Aurora', support_phone: '+351210000000', support_email: 'frontdesk@hotel.example' },
      check_in_at: iso(now - DAY_S),
      check_out_at: iso(now + 3 * DAY_S),
    },
    credentials,
    upcoming: [
      {
        entrance: { acs_entrance_id: crypto.randomUUID(), display_name: 'Spa', kind: 'amenity' },
        starts_at: iso(now + DAY_S),
        ends_at: iso(now + 2 * DAY_S),
      },
    ],
    refresh_after_s: 300,
  };
  return response;
}

/** Every code `preview` may name: a load failure shows that state, any other ends each unlock. */
function previewCodes(): string[] {
  const unlock = Object.keys(enKey)
    .filter((key) => /^error\.(lock|ble)_/.test(key))
    .map((key) => key.slice('error.'.length));
  return [...Object.values(CredentialsErrorCode).filter((code) => code !== 'response_invalid'), ...unlock];
}

/** A mistyped code (`lock_jamed`) would otherwise show a success without a word. */
function warnIfUnknown(code: string): void {
  if (code && !previewCodes().includes(code)) {
    hint(`preview="${code}" is not a known code, so the preview shows a working key. Valid codes: ${previewCodes().join(', ')}.`);
  }
}

/**
 * Unlocks the first of `credentials` against its in-page lock. `failWith`, the `preview`
 * attribute, may name an error code to end with instead, so each outcome can be seen.
 */
export async function previewUnlock(
  credentials: readonly Credential[],
  failWith: string,
  signal: AbortSignal,
): Promise<BluetoothUnlockResult> {
  await new Promise((resolve) => setTimeout(resolve, PREVIEW_LATENCY_MS));
  if (signal.aborted) return { ok: false, code: 'aborted', message: 'Unlock aborted' };
  if (previewCodes().includes(failWith) && /^(lock|ble)_/.test(failWith) && isMessageKey(`error.${failWith}`)) {
    return { ok: false, code: failWith as Exclude<BluetoothUnlockResult, { ok: true }>['code'], message: `Preview: ${failWith}` };
  }
  const first = credentials[0];
  const lock = first && locks.get(first.lock.lock_id);
  if (!lock) return { ok: false, code: 'ble_connect_failed', message: 'Preview: no such lock' };
  const outcome = await unlockWithTransport(new MemoryTransport(lock), [toUnlockCredential(first)], { signal });
  return outcome.ok ? outcome : { ...outcome, message: `Unlock failed: ${outcome.code}` };
}
