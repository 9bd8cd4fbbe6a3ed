import { randomUUID } from 'node:crypto';
import { statement, type Db } from '../db.ts';
import { ApiError, notFound } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { revokeHeldCredentials } from '../lock-updates.ts';
import { iso } from '../time.ts';

interface IdentityRow {
  user_identity_id: string;
  user_identity_key: string | null;
  full_name: string | null;
  email_address: string | null;
  phone_number: string | null;
  created_at: number;
}

/** A user identity as the admin API returns it. */
export interface ApiUserIdentity {
  user_identity_id: string;
  user_identity_key: string | null;
  display_name: string;
  full_name: string | null;
  email_address: string | null;
  phone_number: string | null;
  created_at: string;
}

/** Fields of `/user_identities/create`, validated. */
export interface NewIdentity {
  full_name?: string | undefined;
  email_address?: string | undefined;
  phone_number?: string | undefined;
  user_identity_key?: string | undefined;
}

function toApi(row: IdentityRow): ApiUserIdentity {
  return {
    user_identity_id: row.user_identity_id,
    user_identity_key: row.user_identity_key,
    display_name: row.full_name ?? row.email_address ?? row.phone_number ?? row.user_identity_key ?? 'Guest',
    full_name: row.full_name,
    email_address: row.email_address,
    phone_number: row.phone_number,
    created_at: iso(row.created_at),
  };
}

/** Creates an identity; `user_identity_key` is unique when given. */
export function createIdentity(db: Db, now: number, input: NewIdentity): ApiUserIdentity {
  const row: IdentityRow = {
    user_identity_id: randomUUID(),
    user_identity_key: input.user_identity_key ?? null,
    full_name: input.full_name ?? null,
    email_address: input.email_address ?? null,
    phone_number: input.phone_number ?? null,
    created_at: now,
  };
  return db.transaction(() => {
    if (row.user_identity_key !== null && db.prepare('SELECT 1 FROM user_identities WHERE user_identity_key = ?').get(row.user_identity_key)) {
      throw new ApiError(409, 'user_identity_key_already_in_use', 'user_identity_key is already in use');
    }
    db.prepare(
      `INSERT INTO user_identities VALUES (@user_identity_id, @user_identity_key, @full_name, @email_address, @phone_number, @created_at)`,
    ).run(row);
    return toApi(row);
  }).immediate();
}

/** The raw row, for other stores; `undefined` when absent. */
export function findIdentity(db: Db, id: string): IdentityRow | undefined {
  return statement(db, 'SELECT * FROM user_identities WHERE user_identity_id = ?').get(id) as IdentityRow | undefined;
}

/** One identity, or 404 `user_identity_not_found`. */
export function getIdentity(db: Db, id: string): ApiUserIdentity {
  const row = findIdentity(db, id);
  if (!row) throw notFound('user_identity');
  return toApi(row);
}

/** All identities, oldest first. */
export function listIdentities(db: Db): ApiUserIdentity[] {
  return (db.prepare('SELECT * FROM user_identities ORDER BY created_at, rowid').all() as IdentityRow[]).map(toApi);
}

/**
 * Deletes an identity with its grants and revokes its keys, all or nothing. Keys are kept
 * (revoked) so that their audit trail still resolves; the identity's personal data goes.
 */
export function deleteIdentity(db: Db, now: number, id: string): void {
  db.transaction(() => {
    if (!findIdentity(db, id)) throw notFound('user_identity');
    revokeHeldCredentials(db, now, { userIdentityId: id });
    const grants = db.prepare('SELECT access_grant_id FROM access_grants WHERE user_identity_id = ?').pluck().all(id) as string[];
    for (const grantId of grants) {
      recordEvent(db, now, 'access_grant.deleted', { access_grant_id: grantId, user_identity_id: id, reason: 'user_identity_deleted' });
    }
    const keys = db.prepare('SELECT instant_key_id FROM instant_keys WHERE user_identity_id = ? AND revoked_at IS NULL').pluck().all(id) as string[];
    for (const keyId of keys) {
      recordEvent(db, now, 'instant_key.revoked', { instant_key_id: keyId, user_identity_id: id, reason: 'user_identity_deleted' });
    }
    db.prepare('UPDATE instant_keys SET revoked_at = ? WHERE user_identity_id = ? AND revoked_at IS NULL').run(now, id);
    // Grants and their entrance links go by ON DELETE CASCADE.
    db.prepare('DELETE FROM user_identities WHERE user_identity_id = ?').run(id);
  }).immediate();
}
