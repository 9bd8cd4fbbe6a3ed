/*
 * The preview transport (`<instant-key preview>`): sample doors whose tickets are sealed in the
 * page for virtual locks that also live in the page, so the real IK1 exchange runs over a
 * MemoryTransport in any browser, no server, no Bluetooth. Loaded on demand: it carries the
 * lock side of the protocol, which the guest's path never needs.
 */
import type { BluetoothUnlockResult } from '../ble/unlock.ts';
import { CredentialsError, CredentialsErrorCode } from '../credentials/errors.ts';
import type { Credential, CredentialsResponse, EntranceKind } from '../credentials/types.ts';
import { toUnlockCredential } from '../credentials/unlock-credential.ts';
import { isMessageKey } from '../i18n/index.ts';
import { bytesToBase64url, randomBytes } from '../protocol/bytes.ts';
import { unlockWithTransport } from '../protocol/session.ts';
import { sealTicket } from '../protocol/ticket.ts';
import { MemoryTransport } from '../testing/memory-transport.ts';
import { VirtualLock } from '../testing/virtual-lock.ts';

const DOORS: Array<[string, EntranceKind]> = [
  ['Room 412', 'guest_room'],
  ['Elevator', 'elevator'],
  ['Gym', 'amenity'],
  ['Main entrance', 'common_area'],
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
  if ((Object.values(CredentialsErrorCode) as string[]).includes(failWith)) {
    throw new CredentialsError(failWith as CredentialsErrorCode, `Preview: ${failWith}`);
  }
  if (response) return response;
  const now = Math.floor(Date.now() / 1000);
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  const credentials = DOORS.map(([name, kind], i): Credential => {
    const lockId = crypto.randomUUID();
    const lockKey = randomBytes(32);
    const credentialKey = randomBytes(32);
    const credentialId = crypto.randomUUID();
    const bleName = `IK-PREVIEW${i}`;
    locks.set(lockId, new VirtualLock({ lockId, lockKey, name: bleName }));
    const ticket = sealTicket(lockKey, { lockId, credentialId, notBefore: now - 60, notAfter: now + DAY_S, credentialKey, permissions: 1 });
    return {
      credential_id: credentialId,
      entrance: { acs_entrance_id: crypto.randomUUID(), display_name: name, kind },
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
      customization: {},
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
  if (/^(lock|ble)_/.test(failWith) && isMessageKey(`error.${failWith}`)) {
    return { ok: false, code: failWith as Exclude<BluetoothUnlockResult, { ok: true }>['code'], message: `Preview: ${failWith}` };
  }
  const first = credentials[0];
  const lock = first && locks.get(first.lock.lock_id);
  if (!lock) return { ok: false, code: 'ble_connect_failed', message: 'Preview: no such lock' };
  const outcome = await unlockWithTransport(new MemoryTransport(lock), [toUnlockCredential(first)], { signal });
  return outcome.ok ? outcome : { ...outcome, message: `Unlock failed: ${outcome.code}` };
}
