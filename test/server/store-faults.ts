import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Overwrites the first page of `table`'s b-tree in DATA_DIR `dir` with garbage, as a failing disk might. */
export function corruptTable(dir: string, table: string): void {
  const file = join(dir, 'instant-key.sqlite');
  const reader = new Database(file, { readonly: true });
  const root = reader.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(table) as number;
  const pageSize = reader.pragma('page_size', { simple: true }) as number;
  reader.close();
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}
