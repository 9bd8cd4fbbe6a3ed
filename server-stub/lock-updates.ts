import { CLOCK_SKEW_S, MAX_TICKET_TTL_S, MAX_UPDATE_ENTRIES } from '../src/protocol/constants.ts';
import { sealLockUpdate } from '../src/protocol/lock-update.ts';
import { credentialIdFor } from './credential-ids.ts';
import { statement, type Db } from './db.ts';
import { addRevocations, latestSequence, liveRevocations, saveLockUpdate } from './store/lock-revocations.ts';

/*
 * Revocation that reaches offline locks (docs/protocol.md, "Revocation"). When a change stops
 * the server issuing tickets for credentials that phones may still hold (an instant key
 * revoked, a grant or an identity deleted), those credentials go on each of their locks'
 * lists, for as long as a ticket already issued for them could open the lock; each list
 * changed is sealed under its lock's key as a new lock update, which every phone fetching
 * credentials for that lock then carries to it.
 */

/** What the caller is about to revoke or delete. */
export type RevocationScope = { instantKeyId: string } | { accessGrantId: string } | { userIdentityId: string };

const ticketTtl = new WeakMap<Db, number>();

/**
 * Tells the revocation lists of `db` the server's `TICKET_TTL_S`. Until told, they assume the
 * longest the server allows (entries then last longer than needed, never shorter).
 */
export function useTicketTtl(db: Db, ticketTtlS: number): void {
  ticketTtl.set(db, ticketTtlS);
}

interface HeldCredential {
  instant_key_id: string;
  key_expires_at: number;
  access_grant_id: string;
  grant_ends_at: number;
  acs_entrance_id: string;
  lock_id: string;
  lock_key: Buffer;
}

const SCOPE_COLUMN = { instantKeyId: 'k.instant_key_id', accessGrantId: 'g.access_grant_id', userIdentityId: 'k.user_identity_id' } as const;

/**
 * Puts on their locks' lists every credential that phones may hold within `scope`: each
 * (live instant key, started grant, entrance) of it, until the latest ticket the server could
 * have issued for it has expired on a lock whose clock is off by up to the skew either way.
 * Call inside the transaction that revokes or deletes, before the change itself.
 */
export function revokeHeldCredentials(db: Db, now: number, scope: RevocationScope): void {
  const [field, id] = Object.entries(scope)[0] as [keyof typeof SCOPE_COLUMN, string];
  const held = statement(
    db,
    `SELECT k.instant_key_id, k.expires_at AS key_expires_at, g.access_grant_id, g.ends_at AS grant_ends_at,
            e.acs_entrance_id, e.lock_id, e.lock_key
       FROM instant_keys k
       JOIN access_grants g ON g.user_identity_id = k.user_identity_id
       JOIN access_grant_entrances ge ON ge.access_grant_id = g.access_grant_id
       JOIN acs_entrances e ON e.acs_entrance_id = ge.acs_entrance_id
      WHERE ${SCOPE_COLUMN[field]} = ? AND k.revoked_at IS NULL AND k.expires_at > ? AND g.starts_at <= ? AND g.ends_at > ?`,
  ).all(id, now - 2 * CLOCK_SKEW_S * 1000, now, now - 2 * CLOCK_SKEW_S * 1000) as HeldCredential[];
  if (held.length === 0) return;
  const ttlMs = (ticketTtl.get(db) ?? MAX_TICKET_TTL_S) * 1000;
  const entries = held.map((h) => ({
    lock_id: h.lock_id,
    credential_id: credentialIdFor(h.instant_key_id, h.access_grant_id, h.acs_entrance_id),
    // The last not_after issued is at most this; a lock accepts it up to the skew later by its
    // own clock, which may itself run up to the skew behind the server's.
    until: Math.min(now + ttlMs, h.grant_ends_at, h.key_expires_at) + 2 * CLOCK_SKEW_S * 1000,
  }));
  addRevocations(db, entries.filter((e) => e.until > now));
  const keys = new Map(held.map((h) => [h.lock_id, h.lock_key]));
  for (const [lockId, lockKey] of keys) sealNextUpdate(db, lockId, lockKey, now);
}

/**
 * Seals a lock's live list as its next update. The sequence is at least the Unix second, so it
 * keeps rising even over a store restored from an old backup. Past 100 live entries the ones
 * ending soonest are left out (docs/protocol.md, "Revocation", on that limit).
 */
function sealNextUpdate(db: Db, lockId: string, lockKey: Uint8Array, now: number): void {
  const revoked = liveRevocations(db, lockId, now).slice(0, MAX_UPDATE_ENTRIES);
  const sequence = Math.max(latestSequence(db, lockId) + 1, Math.floor(now / 1000));
  saveLockUpdate(db, lockId, sequence, sealLockUpdate(lockKey, { lockId, sequence, revoked }), now);
}
