import pg from 'pg';
import { StoreClosedError } from '../../db.ts';
import { ApiError } from '../../errors.ts';
import type { Page, PageRequest } from '../pagination.ts';

/** A connection or the pool: anything that runs a query. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** Integers as numbers: every bigint here is a Unix ms time or a counter, far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** A pool of connections to `url`, integers read as numbers. */
export function createPool(url: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: url, max, types });
}

/** `sql` with `@name` parameters turned into `$n`, and the values in that order. */
export function named(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const index = new Map<string, number>();
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for @${name}`);
    let i = index.get(name);
    if (i === undefined) {
      values.push(params[name]);
      index.set(name, (i = values.length));
    }
    return `$${i}`;
  });
  return { text, values };
}

/** Rows of a query with `@name` parameters. */
export async function rows<T>(db: Queryable, sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const { text, values } = named(sql, params);
  return (await db.query(text, values)).rows as T[];
}

/** The first row of a query, or `undefined`. */
export async function row<T>(db: Queryable, sql: string, params: Record<string, unknown> = {}): Promise<T | undefined> {
  return (await rows<T>(db, sql, params))[0];
}

/** Unique indexes whose violation is an API error (Seam's `…_already_in_use`). */
const UNIQUE_ERRORS: Record<string, [string, string]> = {
  user_identities_key_unique: ['user_identity_key_already_in_use', 'user_identity_key is already in use'],
  user_identities_email_unique: ['user_identity_email_address_already_in_use', 'email_address is already in use'],
  user_identities_phone_unique: ['user_identity_phone_number_already_in_use', 'phone_number is already in use'],
  access_grants_key_unique: ['access_grant_key_already_in_use', 'access_grant_key is already in use'],
};

/**
 * The API error a database error stands for: a unique index that a concurrent write on another
 * instance got to first answers 409 as the checks before it would have; anything else is rethrown.
 */
export function apiErrorOf(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string };
  if (e?.code === '23505' && e.constraint && UNIQUE_ERRORS[e.constraint]) {
    const [type, message] = UNIQUE_ERRORS[e.constraint]!;
    return new ApiError(409, type, message);
  }
  return error;
}

/**
 * Runs `fn` in a transaction (READ COMMITTED; the statements take the row locks they need) on
 * one connection; commits, or rolls back and rethrows (as an API error where one applies).
 */
export async function transaction<T>(pool: pg.Pool, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw closedOr(error);
  }
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw apiErrorOf(error);
  } finally {
    client.release();
  }
}

/** A pool that was ended answers as a closed store (503), like SQLite's after close. */
export function closedOr(error: unknown): unknown {
  return /Cannot use a pool after calling end/.test((error as Error)?.message ?? '') ? new StoreClosedError() : error;
}

/**
 * One page of `table`, ordered by (`order`, seq), one row past the page to know whether
 * another follows; the cursor is SQLite's shape ([scope, order value, seq]).
 */
export async function selectPage<Row>(
  db: Queryable,
  sql: { table: string; alias: string; where: string[]; params: Record<string, unknown>; order?: string; offset?: number },
  page: PageRequest,
): Promise<Page<Row>> {
  const { alias } = sql;
  const order = sql.order ?? 'created_at';
  const where = [...sql.where];
  const params: Record<string, unknown> = { ...sql.params, _limit: page.limit + 1, _offset: sql.offset ?? 0 };
  if (page.after) {
    where.push(`(${alias}.${order}, ${alias}.seq) > (@_after_t, @_after_r)`);
    params['_after_t'] = page.after[0];
    params['_after_r'] = page.after[1];
  }
  const found = await rows<Row & { seq: number }>(
    db,
    `SELECT ${alias}.* FROM ${sql.table} ${alias} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${alias}.${order}, ${alias}.seq LIMIT @_limit OFFSET @_offset`,
    params,
  );
  const more = found.length > page.limit;
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  let next: string | null = null;
  let nextUrl: string | null = null;
  if (more && last) {
    const key = (last as unknown as Record<string, number>)[order]!;
    next = Buffer.from(JSON.stringify([page.scope, key, last.seq])).toString('base64url');
    const url = new URL(page.url);
    url.searchParams.set('page_cursor', next);
    nextUrl = url.href;
  }
  return { items: items as Row[], pagination: { has_next_page: more, next_page_cursor: next, next_page_url: nextUrl } };
}

/**
 * "`columns` contain `@q`, in any case", folding with ICU's root collation (the database's own
 * may be C, whose lower() folds ASCII only); `q` is folded the same way in the query.
 */
export function containsText(columns: string[]): string {
  return `(${columns.map((c) => `strpos(lower(${c} COLLATE "und-x-icu"), lower(@q COLLATE "und-x-icu")) > 0`).join(' OR ')})`;
}
