import { randomUUID } from 'node:crypto';
import { bytesToBase64url, bytesToHex, randomBytes } from '../../src/protocol/bytes.ts';
import { KEY_LENGTH } from '../../src/protocol/constants.ts';
import type { Db } from '../db.ts';
import { iso } from '../time.ts';

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
}

/** An entrance as the admin API returns it (`lock_key` only in the create answer). */
export interface ApiEntrance {
  acs_entrance_id: string;
  display_name: string;
  kind: EntranceKind;
  lock: { lock_id: string; ble_name: string; lock_key?: string };
  created_at: string;
}

/** Fields of `/acs/entrances/create`, validated. */
export interface NewEntrance {
  display_name: string;
  kind: EntranceKind;
  ble_name?: string | undefined;
  lock_key?: Uint8Array | undefined;
}

/** What the guest sees of an entrance and its lock. */
export function publicEntrance(row: EntranceRow): {
  entrance: { acs_entrance_id: string; display_name: string; kind: EntranceKind };
  lock: { lock_id: string; ble_name: string };
} {
  return {
    entrance: { acs_entrance_id: row.acs_entrance_id, display_name: row.display_name, kind: row.kind },
    lock: { lock_id: row.lock_id, ble_name: row.ble_name },
  };
}

function toApi(row: EntranceRow): ApiEntrance {
  const { entrance, lock } = publicEntrance(row);
  return { ...entrance, lock, created_at: iso(row.created_at) };
}

/** Creates an entrance and its lock, generating the lock key and BLE name when absent. */
export function createEntrance(db: Db, now: number, input: NewEntrance): ApiEntrance {
  const lockKey = input.lock_key ?? randomBytes(KEY_LENGTH);
  const row: EntranceRow = {
    acs_entrance_id: randomUUID(),
    display_name: input.display_name,
    kind: input.kind,
    lock_id: randomUUID(),
    ble_name: input.ble_name ?? `IK-${bytesToHex(randomBytes(3)).toUpperCase()}`,
    lock_key: Buffer.from(lockKey),
    created_at: now,
  };
  db.prepare(
    `INSERT INTO acs_entrances VALUES (@acs_entrance_id, @display_name, @kind, @lock_id, @ble_name, @lock_key, @created_at)`,
  ).run(row);
  const out = toApi(row);
  out.lock.lock_key = bytesToBase64url(lockKey);
  return out;
}

/** All entrances, oldest first, without keys. */
export function listEntrances(db: Db): ApiEntrance[] {
  return (db.prepare('SELECT * FROM acs_entrances ORDER BY created_at, rowid').all() as EntranceRow[]).map(toApi);
}

/** The ids among `ids` that do not name an entrance. */
export function missingEntrances(db: Db, ids: string[]): string[] {
  const stmt = db.prepare('SELECT 1 FROM acs_entrances WHERE acs_entrance_id = ?');
  return ids.filter((id) => !stmt.get(id));
}
