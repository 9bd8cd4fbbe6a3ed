import { randomUUID } from 'node:crypto';
import type { Brand } from '../config.ts';
import { statement, type Db } from '../db.ts';
import { notFound } from '../errors.ts';
import type { KeyCache } from '../key-cache.ts';
import { recordEvent } from '../events.ts';
import { revokeHeldCredentials } from '../lock-updates.ts';
import { iso } from '../time.ts';
import { generateInstantKeyToken, sha256 } from '../tokens.ts';
import { findIdentity } from './identities.ts';

/** A stored instant key (the token itself is never stored, only its SHA-256). */
export interface InstantKeyRow {
  instant_key_id: string;
  user_identity_id: string;
  created_at: number;
  expires_at: number;
  max_use_count: number | null;
  revoked_at: number | null;
  /** JSON of the fields the issuer set; the rest come from the server's brand. */
  customization: string;
}

/** An instant key as the admin API returns it. */
export interface ApiInstantKey {
  instant_key_id: string;
  instant_key_url: string | null;
  user_identity_id: string;
  created_at: string;
  expires_at: string;
  max_use_count: number | null;
  use_count: number;
  revoked_at: string | null;
  customization: Brand;
}

/** Fields of `/user_identities/generate_instant_key`, validated. */
export interface NewInstantKey {
  user_identity_id: string;
  expires_at: number;
  max_use_count?: number | undefined;
  customization: Partial<Brand>;
}

/** The key's customization over the server's brand defaults. */
export function customizationOf(row: InstantKeyRow, brand: Brand): Brand {
  return { ...brand, ...(JSON.parse(row.customization) as Partial<Brand>) };
}

/** Distinct devices admitted so far. */
export function useCount(db: Db, id: string): number {
  return statement(db, 'SELECT count(*) FROM instant_key_devices WHERE instant_key_id = ?', true).get(id) as number;
}

function toApi(db: Db, row: InstantKeyRow, brand: Brand, url: string | null = null): ApiInstantKey {
  return {
    instant_key_id: row.instant_key_id,
    instant_key_url: url,
    user_identity_id: row.user_identity_id,
    created_at: iso(row.created_at),
    expires_at: iso(row.expires_at),
    max_use_count: row.max_use_count,
    use_count: useCount(db, row.instant_key_id),
    revoked_at: iso(row.revoked_at),
    customization: customizationOf(row, brand),
  };
}

/** Mints a key for an existing identity; the URL holding the token is returned only here. */
export function generateInstantKey(db: Db, now: number, input: NewInstantKey, brand: Brand, publicBaseUrl: string): ApiInstantKey {
  const token = generateInstantKeyToken();
  const row: InstantKeyRow = {
    instant_key_id: randomUUID(),
    user_identity_id: input.user_identity_id,
    created_at: now,
    expires_at: input.expires_at,
    max_use_count: input.max_use_count ?? null,
    revoked_at: null,
    customization: JSON.stringify(input.customization),
  };
  return db.transaction(() => {
    if (!findIdentity(db, input.user_identity_id)) throw notFound('user_identity');
    db.prepare(
      `INSERT INTO instant_keys (instant_key_id, token_hash, user_identity_id, created_at, expires_at, max_use_count, revoked_at, customization)
       VALUES (@instant_key_id, @token_hash, @user_identity_id, @created_at, @expires_at, @max_use_count, @revoked_at, @customization)`,
    ).run({ ...row, token_hash: sha256(token) });
    recordEvent(db, now, 'instant_key.created', { instant_key_id: row.instant_key_id, user_identity_id: row.user_identity_id });
    return toApi(db, row, brand, `${publicBaseUrl}/k#${token}`);
  }).immediate();
}

/** The key a token belongs to, looked up by the token's SHA-256 (see `sha256` in tokens.ts). */
function findKeyByTokenHash(db: Db, tokenHash: Buffer): InstantKeyRow | undefined {
  // An indexed lookup by hash: the token itself is never compared, stored or held.
  return statement(db, 'SELECT * FROM instant_keys WHERE token_hash = ?').get(tokenHash) as InstantKeyRow | undefined;
}

function findKey(db: Db, id: string): InstantKeyRow | undefined {
  return db.prepare('SELECT * FROM instant_keys WHERE instant_key_id = ?').get(id) as InstantKeyRow | undefined;
}

/** One key, or 404 `instant_key_not_found`. */
export function getInstantKey(db: Db, id: string, brand: Brand): ApiInstantKey {
  const row = findKey(db, id);
  if (!row) throw notFound('instant_key');
  return toApi(db, row, brand);
}

/** Keys, optionally of one identity, oldest first. */
export function listInstantKeys(db: Db, filter: { user_identity_id?: string | undefined }, brand: Brand): ApiInstantKey[] {
  const rows = (
    filter.user_identity_id === undefined
      ? db.prepare('SELECT * FROM instant_keys ORDER BY created_at, rowid').all()
      : db.prepare('SELECT * FROM instant_keys WHERE user_identity_id = ? ORDER BY created_at, rowid').all(filter.user_identity_id)
  ) as InstantKeyRow[];
  return rows.map((row) => toApi(db, row, brand));
}

/** Revokes a key at once, keeping its record; revoking again changes nothing. */
export function revokeInstantKey(db: Db, now: number, id: string): void {
  db.transaction(() => {
    const row = findKey(db, id);
    if (!row) throw notFound('instant_key');
    if (row.revoked_at !== null) return;
    revokeHeldCredentials(db, now, { instantKeyId: id });
    db.prepare('UPDATE instant_keys SET revoked_at = ? WHERE instant_key_id = ?').run(now, id);
    recordEvent(db, now, 'instant_key.revoked', { instant_key_id: id, user_identity_id: row.user_identity_id });
  }).immediate();
}

/**
 * Admits `deviceId` for a key: a device seen before always is; a new one only while fewer
 * than `max_use_count` devices are. Call inside a transaction.
 */
function admitDevice(db: Db, now: number, row: InstantKeyRow, deviceId: string, cache: KeyCache): boolean {
  if (cache.isAdmitted(row.instant_key_id, deviceId)) return true;
  if (statement(db, 'SELECT 1 FROM instant_key_devices WHERE instant_key_id = ? AND device_id = ?').get(row.instant_key_id, deviceId)) return true;
  if (row.max_use_count !== null && useCount(db, row.instant_key_id) >= row.max_use_count) return false;
  statement(db, 'INSERT INTO instant_key_devices VALUES (?, ?, ?)').run(row.instant_key_id, deviceId, now);
  return true;
}

/** Why a known key was refused, in the order the credential endpoint checks (api.md section 2). */
export type KeyRefusal = 'revoked' | 'expired' | 'max_use_count_exceeded';

/** What one use of a token came to. */
export type KeyUse = { outcome: 'invalid' } | { outcome: 'admitted'; key: InstantKeyRow } | { outcome: KeyRefusal; key: InstantKeyRow };

/**
 * One use of a token, given as its SHA-256 in base64 (`tokenKey`), from a device: finds its key, checks revocation,
 * expiry and the device limit, admits the device, and records `instant_key.used` or
 * `instant_key.use_denied` with the reason. Call inside a transaction, so that the decision
 * and its event commit together; once committed, call `cache.rememberAdmitted` for an
 * admitted device.
 */
export function useInstantKey(db: Db, now: number, tokenKey: string, device: { device_id: string; user_agent: string | undefined }, cache: KeyCache): KeyUse {
  const key = cache.key(tokenKey, () => findKeyByTokenHash(db, Buffer.from(tokenKey, 'base64')));
  if (!key) return { outcome: 'invalid' };
  const refusal: KeyRefusal | null =
    key.revoked_at !== null ? 'revoked' : now >= key.expires_at ? 'expired' : admitDevice(db, now, key, device.device_id, cache) ? null : 'max_use_count_exceeded';
  const fields = { instant_key_id: key.instant_key_id, user_identity_id: key.user_identity_id, device_id: device.device_id, user_agent: device.user_agent };
  if (refusal !== null) {
    recordEvent(db, now, 'instant_key.use_denied', { ...fields, reason: refusal });
    return { outcome: refusal, key };
  }
  recordEvent(db, now, 'instant_key.used', fields);
  return { outcome: 'admitted', key };
}
