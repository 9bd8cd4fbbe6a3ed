import { createHash, randomUUID } from 'node:crypto';
import { bytesToUuid, uuidToBytes } from '../../src/protocol/bytes.ts';
import type { Db } from '../db.ts';

/**
 * The ids Seam's resources name that this server has exactly one of: its workspace (one per
 * store, made on first use), and the one access system and connected account behind every
 * entrance (derived from the workspace id, so stable without being stored).
 */
export interface WorkspaceIds {
  workspace_id: string;
  acs_system_id: string;
  connected_account_id: string;
}

const known = new WeakMap<Db, WorkspaceIds>();

/** A UUIDv5 of `name` under `namespace`: stable, distinct per name. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidToBytes(namespace)).update(name).digest();
  const bytes = new Uint8Array(hash.subarray(0, 16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytesToUuid(bytes);
}

/** This store's workspace ids, creating the workspace on first call. */
export function workspaceIds(db: Db): WorkspaceIds {
  let ids = known.get(db);
  if (ids) return ids;
  db.prepare('INSERT OR IGNORE INTO workspace (singleton, workspace_id) VALUES (1, ?)').run(randomUUID());
  const workspace_id = db.prepare('SELECT workspace_id FROM workspace').pluck().get() as string;
  ids = {
    workspace_id,
    acs_system_id: uuidV5(workspace_id, 'acs_system:instant_key'),
    connected_account_id: uuidV5(workspace_id, 'connected_account:instant_key'),
  };
  known.set(db, ids);
  return ids;
}
