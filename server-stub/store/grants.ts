import { randomUUID } from 'node:crypto';
import { statement, type Db } from '../db.ts';
import { invalidInput, notFound } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { revokeHeldCredentials } from '../lock-updates.ts';
import { iso } from '../time.ts';
import type { EntranceRow } from './entrances.ts';
import { missingEntrances } from './entrances.ts';
import { findIdentity } from './identities.ts';

interface GrantRow {
  access_grant_id: string;
  user_identity_id: string;
  starts_at: number;
  ends_at: number;
  created_at: number;
  updated_at: number;
}

/** An access grant as the admin API returns it. */
export interface ApiAccessGrant {
  access_grant_id: string;
  user_identity_id: string;
  acs_entrance_ids: string[];
  starts_at: string;
  ends_at: string;
  requested_access_methods: { mode: 'mobile_key' }[];
  created_at: string;
  updated_at: string;
}

/** Fields of `/access_grants/create`, validated. */
export interface NewGrant {
  user_identity_id: string;
  acs_entrance_ids: string[];
  starts_at: number;
  ends_at: number;
}

/** Fields of `/access_grants/update`, validated; absent fields keep their value. */
export interface GrantChanges {
  acs_entrance_ids?: string[] | undefined;
  starts_at?: number | undefined;
  ends_at?: number | undefined;
}

function entranceIds(db: Db, grantId: string): string[] {
  return db
    .prepare('SELECT acs_entrance_id FROM access_grant_entrances WHERE access_grant_id = ? ORDER BY position')
    .pluck()
    .all(grantId) as string[];
}

function toApi(db: Db, row: GrantRow): ApiAccessGrant {
  return {
    access_grant_id: row.access_grant_id,
    user_identity_id: row.user_identity_id,
    acs_entrance_ids: entranceIds(db, row.access_grant_id),
    starts_at: iso(row.starts_at),
    ends_at: iso(row.ends_at),
    requested_access_methods: [{ mode: 'mobile_key' }],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function findGrant(db: Db, id: string): GrantRow | undefined {
  return db.prepare('SELECT * FROM access_grants WHERE access_grant_id = ?').get(id) as GrantRow | undefined;
}

function checkEntrances(db: Db, ids: string[]): void {
  if (missingEntrances(db, ids).length > 0) throw notFound('acs_entrance');
}

function setEntrances(db: Db, grantId: string, ids: string[]): void {
  db.prepare('DELETE FROM access_grant_entrances WHERE access_grant_id = ?').run(grantId);
  const insert = db.prepare('INSERT INTO access_grant_entrances VALUES (?, ?, ?)');
  ids.forEach((id, position) => insert.run(grantId, id, position));
}

function checkWindow(startsAt: number, endsAt: number): void {
  if (endsAt <= startsAt) {
    throw invalidInput('Invalid input: ends_at: must be after starts_at', { _errors: [], ends_at: { _errors: ['Must be after starts_at'] } });
  }
}

/** Creates a grant after checking that its identity and entrances exist. */
export function createGrant(db: Db, now: number, input: NewGrant): ApiAccessGrant {
  checkWindow(input.starts_at, input.ends_at);
  if (input.ends_at <= now) {
    throw invalidInput('Invalid input: ends_at: must be in the future', { _errors: [], ends_at: { _errors: ['Must be in the future'] } });
  }
  return db.transaction(() => {
    if (!findIdentity(db, input.user_identity_id)) throw notFound('user_identity');
    checkEntrances(db, input.acs_entrance_ids);
    const row: GrantRow = {
      access_grant_id: randomUUID(),
      user_identity_id: input.user_identity_id,
      starts_at: input.starts_at,
      ends_at: input.ends_at,
      created_at: now,
      updated_at: now,
    };
    db.prepare('INSERT INTO access_grants VALUES (@access_grant_id, @user_identity_id, @starts_at, @ends_at, @created_at, @updated_at)').run(row);
    setEntrances(db, row.access_grant_id, input.acs_entrance_ids);
    recordEvent(db, now, 'access_grant.created', { access_grant_id: row.access_grant_id, user_identity_id: row.user_identity_id });
    return toApi(db, row);
  }).immediate();
}

/** Changes a grant's entrances and/or window; the next credential fetch reflects it. */
export function updateGrant(db: Db, now: number, id: string, changes: GrantChanges): ApiAccessGrant {
  return db.transaction(() => {
    const row = findGrant(db, id);
    if (!row) throw notFound('access_grant');
    const next: GrantRow = { ...row, updated_at: now };
    if (changes.starts_at !== undefined) next.starts_at = changes.starts_at;
    if (changes.ends_at !== undefined) next.ends_at = changes.ends_at;
    checkWindow(next.starts_at, next.ends_at);
    if (changes.acs_entrance_ids) {
      checkEntrances(db, changes.acs_entrance_ids);
      setEntrances(db, id, changes.acs_entrance_ids);
    }
    db.prepare('UPDATE access_grants SET starts_at = @starts_at, ends_at = @ends_at, updated_at = @updated_at WHERE access_grant_id = @access_grant_id').run(next);
    recordEvent(db, now, 'access_grant.updated', { access_grant_id: id, user_identity_id: row.user_identity_id });
    return toApi(db, next);
  }).immediate();
}

/** One grant, or 404 `access_grant_not_found`. */
export function getGrant(db: Db, id: string): ApiAccessGrant {
  const row = findGrant(db, id);
  if (!row) throw notFound('access_grant');
  return toApi(db, row);
}

/** Grants matching the filters, oldest first. */
export function listGrants(db: Db, filter: { user_identity_id?: string | undefined; acs_entrance_id?: string | undefined }): ApiAccessGrant[] {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (filter.user_identity_id !== undefined) {
    where.push('g.user_identity_id = @user_identity_id');
    params['user_identity_id'] = filter.user_identity_id;
  }
  if (filter.acs_entrance_id !== undefined) {
    where.push('EXISTS (SELECT 1 FROM access_grant_entrances e WHERE e.access_grant_id = g.access_grant_id AND e.acs_entrance_id = @acs_entrance_id)');
    params['acs_entrance_id'] = filter.acs_entrance_id;
  }
  const rows = db
    .prepare(`SELECT g.* FROM access_grants g ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY g.created_at, g.rowid`)
    .all(params) as GrantRow[];
  return rows.map((row) => toApi(db, row));
}

/** Deletes a grant; its credentials disappear from the next fetch. */
export function deleteGrant(db: Db, now: number, id: string): void {
  db.transaction(() => {
    const row = findGrant(db, id);
    if (!row) throw notFound('access_grant');
    revokeHeldCredentials(db, now, { accessGrantId: id });
    db.prepare('DELETE FROM access_grants WHERE access_grant_id = ?').run(id);
    recordEvent(db, now, 'access_grant.deleted', { access_grant_id: id, user_identity_id: row.user_identity_id });
  }).immediate();
}

/** One (grant, entrance) pair of an identity, with the entrance's lock and key. */
export interface GrantEntrance {
  access_grant_id: string;
  starts_at: number;
  ends_at: number;
  entrance: EntranceRow;
}

/** Every (grant, entrance) of an identity whose grant has not ended at `now`, in a stable order. */
export function currentGrantEntrances(db: Db, userIdentityId: string, now: number): GrantEntrance[] {
  const rows = statement(
    db,
    `SELECT g.access_grant_id, g.starts_at, g.ends_at, e.*
         FROM access_grants g
         JOIN access_grant_entrances ge ON ge.access_grant_id = g.access_grant_id
         JOIN acs_entrances e ON e.acs_entrance_id = ge.acs_entrance_id
        WHERE g.user_identity_id = ? AND g.ends_at > ?
        ORDER BY g.starts_at, g.created_at, g.rowid, ge.position`,
  ).all(userIdentityId, now) as (EntranceRow & { access_grant_id: string; starts_at: number; ends_at: number })[];
  return rows.map(({ access_grant_id, starts_at, ends_at, ...entrance }) => ({
    access_grant_id,
    starts_at,
    ends_at,
    entrance,
  }));
}
