import { createHash } from 'node:crypto';
import { bytesToBase64url, bytesToUuid, randomBytes, uuidToBytes } from '../src/protocol/bytes.ts';
import { KEY_LENGTH, NONCE_LENGTH } from '../src/protocol/constants.ts';
import type { Brand, ServerConfig } from './config.ts';
import type { Db } from './db.ts';
import { publicEntrance } from './store/entrances.ts';
import { currentGrantEntrances, type GrantEntrance } from './store/grants.ts';
import { findIdentity } from './store/identities.ts';
import { customizationOf, type InstantKeyRow } from './store/instant-keys.ts';
import { sealTicketFast } from './ticket-sealer.ts';
import { iso } from './time.ts';

/** Namespace of credential ids (UUIDv5 over "grant:entrance"), fixed forever. */
const CREDENTIAL_NAMESPACE = uuidToBytes('6f1d7c2e-3b5a-5e84-9c0d-2a7b1e4f8c63');
/** Ticket permission bit 0: may unlock (protocol.md). */
const PERMISSION_UNLOCK = 1;
/** Fresh random bytes each credential takes: its credential key and its ticket's nonce. */
const PER_CREDENTIAL = KEY_LENGTH + NONCE_LENGTH;

/**
 * The credential id of one (grant, entrance) pair: a UUIDv5, so stable across requests and
 * restarts without storing it, and distinct for every pair.
 */
export function credentialIdFor(accessGrantId: string, acsEntranceId: string): string {
  const hash = createHash('sha1').update(CREDENTIAL_NAMESPACE).update(`${accessGrantId}:${acsEntranceId}`).digest();
  const bytes = new Uint8Array(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}

/** What the guest sees, ticket bytes aside: the ETag is computed over this. */
export interface CredentialView {
  instant_key: {
    instant_key_id: string;
    expires_at: string;
    user_identity: { display_name: string | null };
    customization: Brand;
  };
  credentials: (ReturnType<typeof publicEntrance> & { credential_id: string; starts_at: string; ends_at: string })[];
  upcoming: { entrance: ReturnType<typeof publicEntrance>['entrance']; starts_at: string; ends_at: string }[];
  refresh_after_s: number;
}

/** The view plus what minting needs, kept out of the view and the ETag. */
export interface CredentialPlan {
  view: CredentialView;
  etag: string;
  active: GrantEntrance[];
  /** When time alone changes the plan next: the earliest grant start or end still ahead. */
  changesAt: number;
}

/**
 * Works out a key's credentials at `now`: one per (grant, entrance) of the identity's
 * grants that have started and not ended, and `upcoming` for those not started yet (only
 * when they start before the key itself expires: the link could never open them).
 */
export function planCredentials(db: Db, config: ServerConfig, key: InstantKeyRow, now: number): CredentialPlan {
  const pairs = currentGrantEntrances(db, key.user_identity_id, now);
  const active = pairs.filter((p) => p.starts_at <= now);
  const upcoming = pairs.filter((p) => p.starts_at > now && p.starts_at < key.expires_at);
  const identity = findIdentity(db, key.user_identity_id);
  const view: CredentialView = {
    instant_key: {
      instant_key_id: key.instant_key_id,
      expires_at: iso(key.expires_at),
      // Only the name: anyone the link is shared with sees this, so no email or phone.
      user_identity: { display_name: identity?.full_name ?? null },
      customization: customizationOf(key, config.brand),
    },
    credentials: active.map((p) => ({
      credential_id: credentialIdFor(p.access_grant_id, p.entrance.acs_entrance_id),
      ...publicEntrance(p.entrance),
      starts_at: iso(p.starts_at),
      ends_at: iso(p.ends_at),
    })),
    upcoming: upcoming.map((p) => ({ entrance: publicEntrance(p.entrance).entrance, starts_at: iso(p.starts_at), ends_at: iso(p.ends_at) })),
    refresh_after_s: config.refreshAfterS,
  };
  const digest = createHash('sha256').update(JSON.stringify(view)).digest();
  const changesAt = Math.min(...pairs.map((p) => (p.starts_at > now ? p.starts_at : p.ends_at)));
  return { view, etag: `"${bytesToBase64url(digest.subarray(0, 18))}"`, active, changesAt };
}

/** The 200 body: the view with a freshly minted ticket and credential key per credential. */
export function mintCredentials(plan: CredentialPlan, config: ServerConfig, key: InstantKeyRow, now: number): Record<string, unknown> {
  const notBefore = Math.floor(now / 1000);
  // One CSPRNG call for the whole answer: its cost is per call, not per byte.
  const random = randomBytes(plan.active.length * PER_CREDENTIAL);
  const credentials = plan.view.credentials.map((credential, i) => {
    const pair = plan.active[i]!;
    const notAfter = Math.floor(Math.min(now + config.ticketTtlS * 1000, pair.ends_at, key.expires_at) / 1000);
    const credentialKey = random.subarray(i * PER_CREDENTIAL, i * PER_CREDENTIAL + KEY_LENGTH);
    const nonce = random.subarray(i * PER_CREDENTIAL + KEY_LENGTH, (i + 1) * PER_CREDENTIAL);
    const contents = {
      lockId: pair.entrance.lock_id,
      credentialId: credential.credential_id,
      notBefore,
      notAfter: Math.max(notBefore, notAfter),
      credentialKey,
      permissions: PERMISSION_UNLOCK,
    };
    const ticket = sealTicketFast(pair.entrance.lock_key, contents, nonce);
    return {
      ...credential,
      ticket: bytesToBase64url(ticket),
      credential_key: bytesToBase64url(credentialKey),
      ticket_expires_at: iso(Math.max(notBefore, notAfter) * 1000),
    };
  });
  return { ok: true, ...plan.view, credentials };
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, lists and `*` allowed). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
