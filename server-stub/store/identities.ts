import { randomUUID } from 'node:crypto';
import { statement, type Db } from '../db.ts';
import { ApiError, notFound } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { revokeHeldCredentials } from '../lock-updates.ts';
import { iso } from '../time.ts';
import { selectPage, type Page, type PageRequest } from './pagination.ts';
import { containsText, foldQuery } from './search.ts';
import { workspaceIds } from './workspace.ts';

export interface IdentityRow {
  user_identity_id: string;
  user_identity_key: string | null;
  full_name: string | null;
  email_address: string | null;
  phone_number: string | null;
  created_at: number;
}

/** A user identity as the admin API returns it (Seam's `user_identity`). */
export interface ApiUserIdentity {
  user_identity_id: string;
  user_identity_key: string | null;
  display_name: string;
  full_name: string | null;
  email_address: string | null;
  phone_number: string | null;
  /** Always empty: guests here hold instant keys, not access-system users. */
  acs_user_ids: string[];
  errors: never[];
  warnings: never[];
  workspace_id: string;
  created_at: string;
}

/** Fields of `/user_identities/create`, validated. */
export interface NewIdentity {
  full_name?: string | undefined;
  email_address?: string | undefined;
  phone_number?: string | undefined;
  user_identity_key?: string | undefined;
}

function toApi(db: Db, row: IdentityRow): ApiUserIdentity {
  return identityToApi(row, workspaceIds(db).workspace_id);
}

/** An identity row as the API shows it. */
export function identityToApi(row: IdentityRow, workspace_id: string): ApiUserIdentity {
  return {
    user_identity_id: row.user_identity_id,
    user_identity_key: row.user_identity_key,
    display_name: row.full_name ?? row.email_address ?? row.phone_number ?? row.user_identity_key ?? 'Guest',
    full_name: row.full_name,
    email_address: row.email_address,
    phone_number: row.phone_number,
    acs_user_ids: [],
    errors: [],
    warnings: [],
    workspace_id,
    created_at: iso(row.created_at),
  };
}

/** Seam's rule: email address, phone number and user_identity_key each name one identity. */
const UNIQUE = [
  ['user_identity_key', 'user_identity_key_already_in_use'],
  ['email_address', 'user_identity_email_address_already_in_use'],
  ['phone_number', 'user_identity_phone_number_already_in_use'],
] as const;

function checkUnique(db: Db, row: IdentityRow): void {
  for (const [column, type] of UNIQUE) {
    const value = row[column];
    // Email addresses compare case-insensitively, as mail does in practice.
    const sql = column === 'email_address'
      ? 'SELECT 1 FROM user_identities WHERE email_address = ? COLLATE NOCASE'
      : `SELECT 1 FROM user_identities WHERE ${column} = ?`;
    if (value !== null && db.prepare(sql).get(value)) throw new ApiError(409, type, `${column} is already in use`);
  }
}

/** Creates an identity; `user_identity_key` is unique when given. */
export function createIdentity(db: Db, now: number, input: NewIdentity): ApiUserIdentity {
  const row = newIdentityRow(now, input);
  return db.transaction(() => insertIdentity(db, row)).immediate();
}

/** Inserts a new identity; call inside a transaction (access_grants/create uses it too). */
export function insertIdentity(db: Db, row: IdentityRow): ApiUserIdentity {
  checkUnique(db, row);
  db.prepare(
    `INSERT INTO user_identities (user_identity_id, user_identity_key, full_name, email_address, phone_number, created_at)
     VALUES (@user_identity_id, @user_identity_key, @full_name, @email_address, @phone_number, @created_at)`,
  ).run(row);
  return toApi(db, row);
}

/** The row `createIdentity` would insert. */
export function newIdentityRow(now: number, input: NewIdentity): IdentityRow {
  return {
    user_identity_id: randomUUID(),
    user_identity_key: input.user_identity_key ?? null,
    full_name: input.full_name ?? null,
    email_address: input.email_address ?? null,
    phone_number: input.phone_number ?? null,
    created_at: now,
  };
}

/** The raw row, for other stores; `undefined` when absent. */
export function findIdentity(db: Db, id: string): IdentityRow | undefined {
  return statement(db, 'SELECT * FROM user_identities WHERE user_identity_id = ?').get(id) as IdentityRow | undefined;
}

/** One identity by id or by `user_identity_key`, or 404 `user_identity_not_found`. */
export function getIdentity(db: Db, by: { user_identity_id: string } | { user_identity_key: string }): ApiUserIdentity {
  const row = 'user_identity_id' in by
    ? findIdentity(db, by.user_identity_id)
    : (db.prepare('SELECT * FROM user_identities WHERE user_identity_key = ?').get(by.user_identity_key) as IdentityRow | undefined);
  if (!row) throw notFound('user_identity');
  return toApi(db, row);
}

/** Filters of `/user_identities/list`. */
export interface IdentityFilter {
  user_identity_ids?: string[] | undefined;
  /** Case-insensitive substring of the name, email address, phone number or key. */
  search?: string | undefined;
  created_before?: number | undefined;
}

/** One page of identities matching every filter, oldest first. */
export function listIdentities(db: Db, filter: IdentityFilter, page: PageRequest): Page<ApiUserIdentity> {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.user_identity_ids) {
    where.push('u.user_identity_id IN (SELECT value FROM json_each(@ids))');
    params['ids'] = JSON.stringify(filter.user_identity_ids);
  }
  if (filter.search !== undefined) {
    where.push(containsText(db, ['u.full_name', 'u.email_address', 'u.phone_number', 'u.user_identity_key']));
    params['q'] = foldQuery(filter.search);
  }
  if (filter.created_before !== undefined) {
    where.push('u.created_at < @created_before');
    params['created_before'] = filter.created_before;
  }
  const { items, pagination } = selectPage<IdentityRow>(db, { table: 'user_identities', alias: 'u', where, params }, page);
  return { items: items.map((row) => toApi(db, row)), pagination };
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
