import { createHash } from 'node:crypto';
import { bytesToBase64url } from '../src/protocol/bytes.ts';
import { KEY_LENGTH, NONCE_LENGTH } from '../src/protocol/constants.ts';
import type { ServerConfig } from './config.ts';
import { credentialIdFor } from './credential-ids.ts';
import type { Db } from './db.ts';
import { publicEntrance } from './store/entrances.ts';
import { findProfile, type CustomizationFields } from './store/customization-profiles.ts';
import { currentGrantEntrances, OPEN_ENDED, type GrantEntrance } from './store/grants.ts';
import { findIdentity } from './store/identities.ts';
import { mergeCustomization, type Customization, type InstantKeyRow } from './store/instant-keys.ts';
import { latestLockUpdates } from './store/lock-revocations.ts';
import { RandomPool } from './random-pool.ts';
import { TicketSealer } from './ticket-sealer.ts';
import { iso } from './time.ts';

/** Ticket permission bit 0: may unlock (docs/protocol.md, section 4). */
const PERMISSION_UNLOCK = 1;
/** Fresh random bytes each credential takes: its credential key and its ticket's nonce. */
const PER_CREDENTIAL = KEY_LENGTH + NONCE_LENGTH;

export { credentialIdFor };

/** What the guest sees, ticket bytes aside: the ETag is computed over this. */
export interface CredentialView {
  instant_key: {
    instant_key_id: string;
    expires_at: string;
    user_identity: { display_name: string | null };
    customization: Customization;
    check_in_at?: string;
    check_out_at?: string;
    /** The property's IANA time zone: the key's own, else PROPERTY_TIME_ZONE. */
    time_zone?: string;
  };
  credentials: (ReturnType<typeof publicEntrance> & { credential_id: string; starts_at: string; ends_at: string; lock_update: string | null })[];
  upcoming: { entrance: ReturnType<typeof publicEntrance>['entrance']; starts_at: string; ends_at: string }[];
  refresh_after_s: number;
}

/** One active credential as minting needs it: its sealer, its end and its JSON up to the ticket. */
interface MintSlot {
  sealer: TicketSealer;
  endsAt: number;
  /** The credential's JSON object without its closing brace. */
  json: string;
}

/** The view plus what minting needs, kept out of the view and the ETag. */
export interface CredentialPlan {
  view: CredentialView;
  etag: string;
  slots: MintSlot[];
  /** The 200 body's JSON before the first and after the last credential. */
  head: string;
  tail: string;
  /** When time alone changes the plan next: the earliest grant start or end still ahead. */
  changesAt: number;
}

/** What a plan is made of, as a store reads it (in one query for PostgreSQL). */
export interface PlanData {
  /** Every (grant, entrance) of the key's identity whose grant has not ended, in a stable order. */
  pairs: GrantEntrance[];
  /** The identity's full name, if it has one. */
  fullName: string | null;
  /** The fields of the key's customization profile, if it names one. */
  profile: CustomizationFields | undefined;
  /** The latest sealed update of each lock among the active pairs that has one. */
  lockUpdates: Map<string, Buffer>;
}

/** Reads a plan's data from the SQLite store. */
export function planData(db: Db, key: InstantKeyRow, now: number): PlanData {
  const pairs = currentGrantEntrances(db, key.user_identity_id, now);
  return {
    pairs,
    fullName: findIdentity(db, key.user_identity_id)?.full_name ?? null,
    profile: key.customization_profile_id === null ? undefined : findProfile(db, key.customization_profile_id),
    lockUpdates: latestLockUpdates(db, pairs.filter((p) => p.starts_at <= now).map((p) => p.entrance.lock_id)),
  };
}

/** Works out a key's credentials at `now` from the SQLite store. */
export function planCredentials(db: Db, config: ServerConfig, key: InstantKeyRow, now: number): CredentialPlan {
  return buildPlan(config, key, now, planData(db, key, now));
}

/**
 * Works out a key's credentials at `now`: one per (grant, entrance) of the identity's
 * grants that have started and not ended, and `upcoming` for those not started yet (only
 * when they start before the key itself expires: the link could never open them).
 */
export function buildPlan(config: ServerConfig, key: InstantKeyRow, now: number, data: PlanData): CredentialPlan {
  const { pairs } = data;
  const active = pairs.filter((p) => p.starts_at <= now);
  const upcoming = pairs.filter((p) => p.starts_at > now && p.starts_at < key.expires_at);
  const instantKey: CredentialView['instant_key'] = {
    instant_key_id: key.instant_key_id,
    expires_at: iso(key.expires_at),
    // Only the name: anyone the link is shared with sees this, so no email or phone.
    user_identity: { display_name: data.fullName },
    customization: mergeCustomization(config.brand, data.profile, key.customization),
  };
  if (key.check_in_at !== null) instantKey.check_in_at = iso(key.check_in_at);
  if (key.check_out_at !== null) instantKey.check_out_at = iso(key.check_out_at);
  const timeZone = key.time_zone ?? config.propertyTimeZone;
  if (timeZone !== null) instantKey.time_zone = timeZone;
  // An open-ended grant lasts, through this link, as long as the link does.
  const endOf = (p: { ends_at: number }) => iso(p.ends_at === OPEN_ENDED ? key.expires_at : p.ends_at);
  // Each lock's latest update, in the view (and so in the ETag): a phone learns of a new one
  // on its next refresh, and carries it to the lock (docs/protocol.md, "Revocation").
  const updates = data.lockUpdates;
  const view: CredentialView = {
    instant_key: instantKey,
    credentials: active.map((p) => ({
      credential_id: credentialIdFor(key.instant_key_id, p.access_grant_id, p.entrance.acs_entrance_id),
      ...publicEntrance(p.entrance),
      starts_at: iso(p.starts_at),
      ends_at: endOf(p),
      lock_update: updates.get(p.entrance.lock_id)?.toString('base64url') ?? null,
    })),
    upcoming: upcoming.map((p) => ({ entrance: publicEntrance(p.entrance).entrance, starts_at: iso(p.starts_at), ends_at: endOf(p) })),
    refresh_after_s: Math.min(config.refreshAfterS, Math.floor(ticketTtlS(config, key) / 2)),
  };
  const digest = createHash('sha256').update(JSON.stringify(view)).digest();
  const changesAt = Math.min(...pairs.map((p) => (p.starts_at > now ? p.starts_at : p.ends_at)));
  // The 200 body is this plan's JSON with three fields added per credential: it is written
  // out once here, and each request only splices in what it mints.
  const slots = view.credentials.map((credential, i) => ({
    sealer: new TicketSealer(active[i]!.entrance.lock_key, active[i]!.entrance.lock_id, credential.credential_id),
    endsAt: active[i]!.ends_at,
    json: JSON.stringify(credential).slice(0, -1),
  }));
  const body = JSON.stringify({ ok: true, ...view, credentials: [] });
  const split = body.indexOf('"credentials":[]') + '"credentials":['.length;
  return { view, etag: `"${bytesToBase64url(digest.subarray(0, 18))}"`, slots, head: body.slice(0, split), tail: body.slice(split), changesAt };
}

const random = new RandomPool();

/** The key's ticket lifetime: the issuer's choice, within the server's TICKET_TTL_S. */
export function ticketTtlS(config: ServerConfig, key: InstantKeyRow): number {
  return Math.min(key.ticket_ttl_s ?? config.ticketTtlS, config.ticketTtlS);
}

/**
 * The 200 body as JSON text: the plan's view with, per credential, a freshly minted ticket
 * and credential key and the ticket's end (`not_after`: the earliest of now + the key's
 * ticket lifetime (see {@link ticketTtlS}), the grant's end and the key's expiry). Base64url and ISO dates need no JSON escaping.
 */
export function mintCredentials(plan: CredentialPlan, config: ServerConfig, key: InstantKeyRow, now: number): string {
  const notBefore = Math.floor(now / 1000);
  const cap = Math.min(now + ticketTtlS(config, key) * 1000, key.expires_at);
  const credentials = plan.slots.map((slot) => {
    const notAfter = Math.max(notBefore, Math.floor(Math.min(cap, slot.endsAt) / 1000));
    const fresh = random.take(PER_CREDENTIAL);
    const credentialKey = fresh.subarray(0, KEY_LENGTH);
    const ticket = slot.sealer.seal(notBefore, notAfter, credentialKey, PERMISSION_UNLOCK, fresh.subarray(KEY_LENGTH));
    return `${slot.json},"ticket":"${ticket.toString('base64url')}","credential_key":"${credentialKey.toString('base64url')}","ticket_expires_at":"${iso(notAfter * 1000)}"}`;
  });
  return plan.head + credentials.join(',') + plan.tail;
}

/** Whether an `If-None-Match` header names `etag` (weak comparison, lists and `*` allowed). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
