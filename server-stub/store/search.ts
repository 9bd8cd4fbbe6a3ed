import type { Db } from '../db.ts';

const registered = new WeakSet<Db>();

/**
 * The SQL condition "`columns` contain `@q`, in any case": `q` is folded here, the columns by
 * `ik_fold`, a function registered on the connection (SQLite's own `lower()` folds ASCII only,
 * so "ÉLODIE" would not find "Élodie").
 */
export function containsText(db: Db, columns: string[]): string {
  if (!registered.has(db)) {
    db.function('ik_fold', { deterministic: true }, (text: unknown) => (typeof text === 'string' ? text.toLowerCase() : ''));
    registered.add(db);
  }
  return `(${columns.map((c) => `instr(ik_fold(${c}), @q) > 0`).join(' OR ')})`;
}

/** `q` folded as {@link containsText} folds the columns. */
export function foldQuery(q: string): string {
  return q.toLowerCase();
}
