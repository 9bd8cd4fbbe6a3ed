import { randomUUID } from 'node:crypto';
import { statement, type Db } from '../db.ts';
import { ApiError, invalidInput, notFound } from '../errors.ts';
import { recordEvent } from '../events.ts';
import { revokeHeldCredentials } from '../lock-updates.ts';
import { iso } from '../time.ts';
import { findProfile } from './customization-profiles.ts';
import type { EntranceRow } from './entrances.ts';
import { missingEntrances } from './entrances.ts';
import { findIdentity, insertIdentity, newIdentityRow, type NewIdentity } from './identities.ts';
import { selectPage, type Page, type PageRequest } from './pagination.ts';
import { workspaceIds } from './workspace.ts';

/**
 * `ends_at` of an open-ended grant: the latest instant a JavaScript date holds. Stored so that
 * "has not ended" stays one comparison; never shown (the API answers `null`).
 */
export const OPEN_ENDED = 8_640_000_000_000_000;

export interface GrantRow {
  access_grant_id: string;
  user_identity_id: string;
  starts_at: number;
  ends_at: number;
  created_at: number;
  updated_at: number;
  name: string | null;
  access_grant_key: string | null;
  customization_profile_id: string | null;
  instant_key_max_use_count: number | null;
}

/** A requested access method as Seam describes it; here always a mobile key (an instant key). */
interface ApiAccessMethodRequest {
  mode: 'mobile_key';
  display_name: string;
  created_at: string;
  /** Always empty: instant keys are issued per identity, not as access methods. */
  created_access_method_ids: string[];
  instant_key_max_use_count?: number;
}

/** An access grant as the admin API returns it: Seam's `access_grant` plus `acs_entrance_ids` and `updated_at`. */
export interface ApiAccessGrant {
  access_grant_id: string;
  access_grant_key?: string;
  user_identity_id: string;
  display_name: string;
  name: string | null;
  acs_entrance_ids: string[];
  space_ids: string[];
  location_ids: string[];
  access_method_ids: string[];
  starts_at: string;
  /** `null`: open-ended. */
  ends_at: string | null;
  requested_access_methods: ApiAccessMethodRequest[];
  customization_profile_id?: string;
  pending_mutations: never[];
  errors: never[];
  warnings: never[];
  workspace_id: string;
  created_at: string;
  updated_at: string;
  /** Only in the create answer, when the grant issued an instant key. */
  instant_key_url?: string;
}

/** Fields of `/access_grants/create`, validated; `user_identity` creates the guest in the same transaction. */
export interface NewGrant {
  user_identity_id?: string | undefined;
  user_identity?: NewIdentity | undefined;
  acs_entrance_ids: string[];
  starts_at: number;
  /** `undefined`: open-ended. */
  ends_at?: number | undefined;
  name?: string | undefined;
  access_grant_key?: string | undefined;
  customization_profile_id?: string | undefined;
  instant_key_max_use_count?: number | undefined;
}

/** Fields of `/access_grants/update`, validated; absent fields keep their value, `null` clears. */
export interface GrantChanges {
  acs_entrance_ids?: string[] | undefined;
  starts_at?: number | undefined;
  /** `null`: make open-ended. */
  ends_at?: number | null | undefined;
  name?: string | null | undefined;
}

/** How a grant is named in a request: by id or by its `access_grant_key`. */
export type GrantRef = { access_grant_id: string } | { access_grant_key: string };

function entranceIds(db: Db, grantId: string): string[] {
  return db
    .prepare('SELECT acs_entrance_id FROM access_grant_entrances WHERE access_grant_id = ? ORDER BY position')
    .pluck()
    .all(grantId) as string[];
}

function toApi(db: Db, row: GrantRow): ApiAccessGrant {
  const names = row.name === null ? (db.prepare('SELECT e.display_name FROM access_grant_entrances ge JOIN acs_entrances e USING (acs_entrance_id) WHERE ge.access_grant_id = ? ORDER BY ge.position').pluck().all(row.access_grant_id) as string[]) : [];
  return grantToApi(row, entranceIds(db, row.access_grant_id), names, workspaceIds(db).workspace_id);
}

/** A grant row as the API shows it, given its entrances (in order) and, when it has no name, theirs. */
export function grantToApi(row: GrantRow, acsEntranceIds: string[], entranceNames: string[], workspace_id: string): ApiAccessGrant {
  const method: ApiAccessMethodRequest = { mode: 'mobile_key', display_name: 'Mobile key', created_at: iso(row.created_at), created_access_method_ids: [] };
  if (row.instant_key_max_use_count !== null) method.instant_key_max_use_count = row.instant_key_max_use_count;
  const grant: ApiAccessGrant = {
    access_grant_id: row.access_grant_id,
    user_identity_id: row.user_identity_id,
    display_name: row.name ?? entranceNames.join(', '),
    name: row.name,
    acs_entrance_ids: acsEntranceIds,
    space_ids: [],
    location_ids: [],
    access_method_ids: [],
    starts_at: iso(row.starts_at),
    ends_at: row.ends_at === OPEN_ENDED ? null : iso(row.ends_at),
    requested_access_methods: [method],
    pending_mutations: [],
    errors: [],
    warnings: [],
    workspace_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
  if (row.access_grant_key !== null) grant.access_grant_key = row.access_grant_key;
  if (row.customization_profile_id !== null) grant.customization_profile_id = row.customization_profile_id;
  return grant;
}

function findGrant(db: Db, ref: GrantRef): GrantRow | undefined {
  return 'access_grant_id' in ref
    ? (db.prepare('SELECT * FROM access_grants WHERE access_grant_id = ?').get(ref.access_grant_id) as GrantRow | undefined)
    : (db.prepare('SELECT * FROM access_grants WHERE access_grant_key = ?').get(ref.access_grant_key) as GrantRow | undefined);
}

function checkEntrances(db: Db, ids: string[]): void {
  if (missingEntrances(db, ids).length > 0) throw notFound('acs_entrance');
}

function setEntrances(db: Db, grantId: string, ids: string[]): void {
  db.prepare('DELETE FROM access_grant_entrances WHERE access_grant_id = ?').run(grantId);
  const insert = db.prepare('INSERT INTO access_grant_entrances VALUES (?, ?, ?)');
  ids.forEach((id, position) => insert.run(grantId, id, position));
}

export function checkWindow(startsAt: number, endsAt: number): void {
  if (endsAt <= startsAt) {
    throw invalidInput('Invalid input: ends_at: must be after starts_at', { _errors: [], ends_at: { _errors: ['Must be after starts_at'] } });
  }
}

/**
 * Creates a grant after checking that its identity (or, with `user_identity`, creating it),
 * its entrances and its customization profile exist; all or nothing.
 */
export function createGrant(db: Db, now: number, input: NewGrant): ApiAccessGrant {
  const endsAt = input.ends_at ?? OPEN_ENDED;
  checkWindow(input.starts_at, endsAt);
  if (endsAt <= now) {
    throw invalidInput('Invalid input: ends_at: must be in the future', { _errors: [], ends_at: { _errors: ['Must be in the future'] } });
  }
  return db.transaction(() => {
    let userIdentityId = input.user_identity_id;
    if (input.user_identity) userIdentityId = insertIdentity(db, newIdentityRow(now, input.user_identity)).user_identity_id;
    else if (!userIdentityId || !findIdentity(db, userIdentityId)) throw notFound('user_identity');
    checkEntrances(db, input.acs_entrance_ids);
    if (input.customization_profile_id !== undefined && !findProfile(db, input.customization_profile_id)) throw notFound('customization_profile');
    if (input.access_grant_key !== undefined && findGrant(db, { access_grant_key: input.access_grant_key })) {
      throw new ApiError(409, 'access_grant_key_already_in_use', 'access_grant_key is already in use');
    }
    const row: GrantRow = {
      access_grant_id: randomUUID(),
      user_identity_id: userIdentityId!,
      starts_at: input.starts_at,
      ends_at: endsAt,
      created_at: now,
      updated_at: now,
      name: input.name ?? null,
      access_grant_key: input.access_grant_key ?? null,
      customization_profile_id: input.customization_profile_id ?? null,
      instant_key_max_use_count: input.instant_key_max_use_count ?? null,
    };
    db.prepare(
      `INSERT INTO access_grants (access_grant_id, user_identity_id, starts_at, ends_at, created_at, updated_at, name, access_grant_key, customization_profile_id, instant_key_max_use_count)
       VALUES (@access_grant_id, @user_identity_id, @starts_at, @ends_at, @created_at, @updated_at, @name, @access_grant_key, @customization_profile_id, @instant_key_max_use_count)`,
    ).run(row);
    setEntrances(db, row.access_grant_id, input.acs_entrance_ids);
    recordEvent(db, now, 'access_grant.created', { access_grant_id: row.access_grant_id, user_identity_id: row.user_identity_id });
    return toApi(db, row);
  }).immediate();
}

/**
 * Changes a grant's entrances, window and/or name; the next credential fetch reflects it.
 * Records Seam's events: `access_grant.access_times_changed`, and per entrance
 * `access_grant.access_granted_to_door` or `access_grant.access_to_door_lost`.
 */
export function updateGrant(db: Db, now: number, ref: GrantRef, changes: GrantChanges): ApiAccessGrant {
  return db.transaction(() => {
    const row = findGrant(db, ref);
    if (!row) throw notFound('access_grant');
    const id = row.access_grant_id;
    const next: GrantRow = { ...row, updated_at: now };
    if (changes.starts_at !== undefined) next.starts_at = changes.starts_at;
    if (changes.ends_at !== undefined) next.ends_at = changes.ends_at ?? OPEN_ENDED;
    if (changes.name !== undefined) next.name = changes.name;
    checkWindow(next.starts_at, next.ends_at);
    const subject = { access_grant_id: id, user_identity_id: row.user_identity_id };
    if (changes.acs_entrance_ids) {
      checkEntrances(db, changes.acs_entrance_ids);
      const before = new Set(entranceIds(db, id));
      const after = new Set(changes.acs_entrance_ids);
      setEntrances(db, id, changes.acs_entrance_ids);
      for (const e of after) if (!before.has(e)) recordEvent(db, now, 'access_grant.access_granted_to_door', { ...subject, acs_entrance_id: e });
      for (const e of before) if (!after.has(e)) recordEvent(db, now, 'access_grant.access_to_door_lost', { ...subject, acs_entrance_id: e });
    }
    db.prepare('UPDATE access_grants SET starts_at = @starts_at, ends_at = @ends_at, name = @name, updated_at = @updated_at WHERE access_grant_id = @access_grant_id').run(next);
    if (next.starts_at !== row.starts_at || next.ends_at !== row.ends_at) {
      const api = toApi(db, next);
      recordEvent(db, now, 'access_grant.access_times_changed', { ...subject, details: { starts_at: api.starts_at, ends_at: api.ends_at } });
    }
    return toApi(db, next);
  }).immediate();
}

/** One grant by id or key, or 404 `access_grant_not_found`. */
export function getGrant(db: Db, ref: GrantRef): ApiAccessGrant {
  const row = findGrant(db, ref);
  if (!row) throw notFound('access_grant');
  return toApi(db, row);
}

/** Filters of `/access_grants/list`. */
export interface GrantFilter {
  user_identity_id?: string | undefined;
  acs_entrance_id?: string | undefined;
  access_grant_ids?: string[] | undefined;
  access_grant_key?: string | undefined;
  /** When false, nothing matches (a filter on another access system than this server's). */
  matches?: boolean;
}

/** One page of grants matching every filter, oldest first. */
export function listGrants(db: Db, filter: GrantFilter, page: PageRequest): Page<ApiAccessGrant> {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.matches === false) where.push('0');
  if (filter.user_identity_id !== undefined) {
    where.push('g.user_identity_id = @user_identity_id');
    params['user_identity_id'] = filter.user_identity_id;
  }
  if (filter.acs_entrance_id !== undefined) {
    where.push('EXISTS (SELECT 1 FROM access_grant_entrances e WHERE e.access_grant_id = g.access_grant_id AND e.acs_entrance_id = @acs_entrance_id)');
    params['acs_entrance_id'] = filter.acs_entrance_id;
  }
  if (filter.access_grant_ids) {
    where.push('g.access_grant_id IN (SELECT value FROM json_each(@ids))');
    params['ids'] = JSON.stringify(filter.access_grant_ids);
  }
  if (filter.access_grant_key !== undefined) {
    where.push('g.access_grant_key = @access_grant_key');
    params['access_grant_key'] = filter.access_grant_key;
  }
  const { items, pagination } = selectPage<GrantRow>(db, { table: 'access_grants', alias: 'g', where, params }, page);
  return { items: items.map((row) => toApi(db, row)), pagination };
}

/** Deletes a grant; its credentials disappear from the next fetch. */
export function deleteGrant(db: Db, now: number, ref: GrantRef): void {
  db.transaction(() => {
    const row = findGrant(db, ref);
    if (!row) throw notFound('access_grant');
    revokeHeldCredentials(db, now, { accessGrantId: row.access_grant_id });
    db.prepare('DELETE FROM access_grants WHERE access_grant_id = ?').run(row.access_grant_id);
    recordEvent(db, now, 'access_grant.deleted', { access_grant_id: row.access_grant_id, user_identity_id: row.user_identity_id });
  }).immediate();
}

/** One (grant, entrance) pair of an identity, with the entrance's lock and key. */
export interface GrantEntrance {
  access_grant_id: string;
  starts_at: number;
  /** {@link OPEN_ENDED} for an open-ended grant. */
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
