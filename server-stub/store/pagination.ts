import { createHash } from 'node:crypto';
import type { Db } from '../db.ts';
import type { Input } from '../validation.ts';

/** Seam's `pagination` object. */
export interface Pagination {
  has_next_page: boolean;
  next_page_cursor: string | null;
  next_page_url: string | null;
}

/** One page of a list and its `pagination`. */
export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

/** A validated page request: its size, where it starts, and what the next page's URL repeats. */
export interface PageRequest {
  limit: number;
  /** The (created_at, rowid) of the last row of the previous page. */
  after: [number, number] | undefined;
  /** Route and filters the cursor is bound to. */
  scope: string;
  /** `{base}{route}?{filters}` without paging, for `next_page_url`. */
  url: URL;
}

/** Filters as sent again on the next page: scalars and lists of scalars. */
export type Filters = Record<string, string | number | string[] | undefined>;

/**
 * Reads `limit` and `page_cursor`. A cursor names the last row seen, and the route and
 * filters it was made for: a cursor used with other filters is refused, not reinterpreted.
 */
export function readPage(input: Input, route: string, filters: Filters, base: string, defaults: { limit: number; max: number }): PageRequest {
  const limit = input.integer('limit', { min: 1, max: defaults.max }) ?? defaults.limit;
  const url = new URL(`${base}${route}`);
  for (const [name, value] of Object.entries(filters)) {
    for (const v of value === undefined ? [] : [value].flat()) url.searchParams.append(name, String(v));
  }
  const scope = createHash('sha256').update(url.pathname + url.search).digest('base64url').slice(0, 16);
  url.searchParams.set('limit', String(limit));
  const cursor = input.string('page_cursor', { max: 200 });
  let after: [number, number] | undefined;
  if (cursor !== undefined) {
    after = decodeCursor(cursor, scope);
    if (!after) input.fail('page_cursor', 'Not a cursor of this list with these filters');
  }
  return { limit, after, scope, url };
}

function decodeCursor(cursor: string, scope: string): [number, number] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 3 || value[0] !== scope) return undefined;
    const [, t, r] = value as [string, unknown, unknown];
    return Number.isSafeInteger(t) && Number.isSafeInteger(r) ? [t as number, r as number] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `SELECT rowid AS _rowid, * FROM {from} WHERE {where} AND after-cursor ORDER BY
 * created_at, rowid` one row past the page, to know whether another page follows. `from`
 * must expose `created_at` and `rowid` of the listed table under `alias`.
 */
export function selectPage<Row>(
  db: Db,
  sql: { table: string; alias: string; where: string[]; params: Record<string, unknown>; order?: string; offset?: number },
  page: PageRequest,
): Page<Row> {
  const { alias } = sql;
  const order = sql.order ?? 'created_at';
  const where = [...sql.where];
  const params: Record<string, unknown> = { ...sql.params, _limit: page.limit + 1, _offset: sql.offset ?? 0 };
  if (page.after) {
    where.push(`(${alias}.${order}, ${alias}.rowid) > (@_after_t, @_after_r)`);
    params['_after_t'] = page.after[0];
    params['_after_r'] = page.after[1];
  }
  const rows = db
    .prepare(
      `SELECT ${alias}.rowid AS _rowid, ${alias}.* FROM ${sql.table} ${alias} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${alias}.${order}, ${alias}.rowid LIMIT @_limit OFFSET @_offset`,
    )
    .all(params) as (Row & { _rowid: number })[];
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  let next: string | null = null;
  let nextUrl: string | null = null;
  if (more && last) {
    const key = (last as unknown as Record<string, number>)[order]!;
    next = Buffer.from(JSON.stringify([page.scope, key, last._rowid])).toString('base64url');
    const url = new URL(page.url);
    url.searchParams.set('page_cursor', next);
    nextUrl = url.href;
  }
  return {
    items: items.map(({ _rowid: _, ...row }) => row as unknown as Row),
    pagination: { has_next_page: more, next_page_cursor: next, next_page_url: nextUrl },
  };
}
