import { randomUUID } from 'node:crypto';
import { bytesToBase64url, bytesToHex, randomBytes } from '../../src/protocol/bytes.ts';
import { KEY_LENGTH } from '../../src/protocol/constants.ts';
import type { Db } from '../db.ts';
import { notFound } from '../errors.ts';
import { iso } from '../time.ts';
import { selectPage, type Page, type PageRequest } from './pagination.ts';
import { containsText, foldQuery } from './search.ts';
import { workspaceIds } from './workspace.ts';

import { ENTRANCE_KINDS, type EntranceKind } from '../../src/credentials/types.ts';

// One list of entrance kinds for the wire contract, the element's validation and this store.
export { ENTRANCE_KINDS, type EntranceKind };

/** A stored entrance with its lock, key included: for the server's own use only. */
export interface EntranceRow {
  acs_entrance_id: string;
  display_name: string;
  kind: EntranceKind;
  lock_id: string;
  ble_name: string;
  lock_key: Buffer;
  created_at: number;
  floor: string | null;
  room_type: string | null;
  hours: string | null;
  location: string | null;
}

/** What the guest is told about an entrance besides its name; each field optional. */
export interface EntranceDetails {
  /** Short text: "4", "Mezzanine". */
  floor?: string;
  /** Short text: "Deluxe king". */
  room_type?: string;
  /** Daily opening hours in the property's time zone, `HH:MM-HH:MM`. */
  hours?: string;
  /** Short text: "Level 2, east wing". */
  location?: string;
}

const DETAILS = ['floor', 'room_type', 'hours', 'location'] as const;

/** What the guest sees of an entrance (details only when set) and its lock. */
export type PublicEntrance = { acs_entrance_id: string; display_name: string; kind: EntranceKind } & EntranceDetails;

/**
 * An entrance as the admin API returns it: Seam's `acs_entrance`, plus this server's `kind`,
 * `lock` (`lock_key` only in the create answer) and details.
 */
export type ApiEntrance = PublicEntrance & {
  acs_system_id: string;
  connected_account_id: string;
  space_ids: string[];
  can_unlock_with_mobile_key: true;
  errors: never[];
  warnings: never[];
  lock: { lock_id: string; ble_name: string; lock_key?: string };
  created_at: string;
};

/** Fields of `/acs/entrances/create`, validated. */
export interface NewEntrance extends EntranceDetails {
  display_name: string;
  kind: EntranceKind;
  ble_name?: string | undefined;
  lock_key?: Uint8Array | undefined;
}

/** What the guest sees of an entrance and its lock. */
export function publicEntrance(row: EntranceRow): { entrance: PublicEntrance; lock: { lock_id: string; ble_name: string } } {
  const entrance: PublicEntrance = { acs_entrance_id: row.acs_entrance_id, display_name: row.display_name, kind: row.kind };
  for (const field of DETAILS) if (row[field] !== null) entrance[field] = row[field];
  return { entrance, lock: { lock_id: row.lock_id, ble_name: row.ble_name } };
}

function toApi(db: Db, row: EntranceRow): ApiEntrance {
  return entranceToApi(row, workspaceIds(db));
}

/** An entrance row as the API shows it (without its key). */
export function entranceToApi(row: EntranceRow, ids: { acs_system_id: string; connected_account_id: string }): ApiEntrance {
  const { entrance, lock } = publicEntrance(row);
  const { acs_system_id, connected_account_id } = ids;
  return {
    ...entrance,
    acs_system_id,
    connected_account_id,
    space_ids: [],
    can_unlock_with_mobile_key: true,
    errors: [],
    warnings: [],
    lock,
    created_at: iso(row.created_at),
  };
}

/** The row of a new entrance and its lock, generating the lock key and BLE name when absent. */
export function newEntranceRow(now: number, input: NewEntrance): EntranceRow {
  const lockKey = input.lock_key ?? randomBytes(KEY_LENGTH);
  return {
    acs_entrance_id: randomUUID(),
    display_name: input.display_name,
    kind: input.kind,
    lock_id: randomUUID(),
    ble_name: input.ble_name ?? `IK-${bytesToHex(randomBytes(3)).toUpperCase()}`,
    lock_key: Buffer.from(lockKey),
    created_at: now,
    floor: input.floor ?? null,
    room_type: input.room_type ?? null,
    hours: input.hours ?? null,
    location: input.location ?? null,
  };
}

/** Creates an entrance and its lock, generating the lock key and BLE name when absent. */
export function createEntrance(db: Db, now: number, input: NewEntrance): ApiEntrance {
  const row = newEntranceRow(now, input);
  db.prepare(
    `INSERT INTO acs_entrances (acs_entrance_id, display_name, kind, lock_id, ble_name, lock_key, created_at, floor, room_type, hours, location)
     VALUES (@acs_entrance_id, @display_name, @kind, @lock_id, @ble_name, @lock_key, @created_at, @floor, @room_type, @hours, @location)`,
  ).run(row);
  const out = toApi(db, row);
  out.lock.lock_key = bytesToBase64url(row.lock_key);
  return out;
}

/** One entrance without its key, or 404 `acs_entrance_not_found`. */
export function getEntrance(db: Db, id: string): ApiEntrance {
  const row = db.prepare('SELECT * FROM acs_entrances WHERE acs_entrance_id = ?').get(id) as EntranceRow | undefined;
  if (!row) throw notFound('acs_entrance');
  return toApi(db, row);
}

/** Filters of `/acs/entrances/list`. */
export interface EntranceFilter {
  acs_entrance_ids?: string[] | undefined;
  /** Case-insensitive substring of the display name. */
  search?: string | undefined;
  /** When false, nothing matches (a filter on another system or account than this server's). */
  matches?: boolean;
}

/** One page of entrances, oldest first, without keys. */
export function listEntrances(db: Db, filter: EntranceFilter, page: PageRequest): Page<ApiEntrance> {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.matches === false) where.push('0');
  if (filter.acs_entrance_ids) {
    where.push('e.acs_entrance_id IN (SELECT value FROM json_each(@ids))');
    params['ids'] = JSON.stringify(filter.acs_entrance_ids);
  }
  if (filter.search !== undefined) {
    where.push(containsText(db, ['e.display_name']));
    params['q'] = foldQuery(filter.search);
  }
  const { items, pagination } = selectPage<EntranceRow>(db, { table: 'acs_entrances', alias: 'e', where, params }, page);
  return { items: items.map((row) => toApi(db, row)), pagination };
}

/** The ids among `ids` that do not name an entrance. */
export function missingEntrances(db: Db, ids: string[]): string[] {
  const stmt = db.prepare('SELECT 1 FROM acs_entrances WHERE acs_entrance_id = ?');
  return ids.filter((id) => !stmt.get(id));
}
