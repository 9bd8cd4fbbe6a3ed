import { randomUUID } from 'node:crypto';
import type { Brand } from '../config.ts';
import { statement, type Db } from '../db.ts';
import { notFound } from '../errors.ts';
import type { KeyCache } from '../key-cache.ts';
import { recordEvent } from '../events.ts';
import { iso } from '../time.ts';
import { generateInstantKeyToken, isInstantKeyToken, sha256 } from '../tokens.ts';
import { findProfile, type CustomizationFields } from './customization-profiles.ts';
import { findIdentity } from './identities.ts';
import { selectPage, type Page, type PageRequest } from './pagination.ts';
import { uuidV5, workspaceIds } from './workspace.ts';

/** A stored instant key (the token itself is never stored, only its SHA-256). */
export interface InstantKeyRow {
  instant_key_id: string;
  user_identity_id: string;
  created_at: number;
  expires_at: number;
  max_use_count: number | null;
  revoked_at: number | null;
  /** JSON of the fields the issuer set; the rest come from the profile, then the server's brand. */
  customization: string;
  customization_profile_id: string | null;
  /** The issuer's ticket lifetime for this key; the server's TICKET_TTL_S caps it. */
  ticket_ttl_s: number | null;
  check_in_at: number | null;
  check_out_at: number | null;
  time_zone: string | null;
}

/**
 * An instant key as the admin API returns it: Seam's `instant_key` plus this server's
 * `max_use_count`, `use_count`, `revoked_at`, ticket lifetime and stay details.
 */
export interface ApiInstantKey {
  instant_key_id: string;
  /**
   * The link with its token in the generate answer; elsewhere the key page's address alone
   * (`{base}/k`): only the token's hash is kept (README, "Seam compatibility").
   */
  instant_key_url: string;
  /** Whether `instant_key_url` carries the token (only in the generate answer). */
  instant_key_url_has_token: boolean;
  /** Seam backs a key by a client session; here the key is its own session, named by this id. */
  client_session_id: string;
  user_identity_id: string;
  workspace_id: string;
  created_at: string;
  expires_at: string;
  max_use_count: number | null;
  use_count: number;
  revoked_at: string | null;
  customization: Customization;
  customization_profile_id?: string;
  /** The issuer's ticket lifetime, or `null` for the server's TICKET_TTL_S. */
  ticket_ttl_s: number | null;
  check_in_at?: string;
  check_out_at?: string;
  time_zone?: string;
}

/** A key's effective customization: no field is ever `null` (Seam's type allows only absence). */
export type Customization = Omit<Brand, 'logo_url'> & { logo_url?: string };

/** Fields of `/user_identities/generate_instant_key`, validated. */
export interface NewInstantKey {
  user_identity_id: string;
  expires_at: number;
  max_use_count?: number | undefined;
  customization: CustomizationFields;
  customization_profile_id?: string | undefined;
  ticket_ttl_s?: number | undefined;
  check_in_at?: number | undefined;
  check_out_at?: number | undefined;
  time_zone?: string | undefined;
}

/** The key's customization: its own fields over its profile's over the server's brand. */
export function customizationOf(db: Db, row: InstantKeyRow, brand: Brand): Customization {
  const profile = row.customization_profile_id === null ? undefined : findProfile(db, row.customization_profile_id);
  const merged: Record<string, unknown> = { ...brand, ...profile, ...(JSON.parse(row.customization) as CustomizationFields) };
  for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined) delete merged[k];
  return merged as Customization;
}

/** Distinct devices admitted so far (each proved it holds its device key). */
export function useCount(db: Db, id: string): number {
  return statement(db, 'SELECT count(*) FROM instant_key_devices WHERE instant_key_id = ?', true).get(id) as number;
}

function toApi(db: Db, row: InstantKeyRow, brand: Brand, base: string, url?: string): ApiInstantKey {
  const key: ApiInstantKey = {
    instant_key_id: row.instant_key_id,
    instant_key_url: url ?? `${base}/k`,
    instant_key_url_has_token: url !== undefined,
    client_session_id: uuidV5(row.instant_key_id, 'client_session'),
    user_identity_id: row.user_identity_id,
    workspace_id: workspaceIds(db).workspace_id,
    created_at: iso(row.created_at),
    expires_at: iso(row.expires_at),
    max_use_count: row.max_use_count,
    use_count: useCount(db, row.instant_key_id),
    revoked_at: iso(row.revoked_at),
    customization: customizationOf(db, row, brand),
    ticket_ttl_s: row.ticket_ttl_s,
  };
  if (row.customization_profile_id !== null) key.customization_profile_id = row.customization_profile_id;
  if (row.check_in_at !== null) key.check_in_at = iso(row.check_in_at);
  if (row.check_out_at !== null) key.check_out_at = iso(row.check_out_at);
  if (row.time_zone !== null) key.time_zone = row.time_zone;
  return key;
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
    customization_profile_id: input.customization_profile_id ?? null,
    ticket_ttl_s: input.ticket_ttl_s ?? null,
    check_in_at: input.check_in_at ?? null,
    check_out_at: input.check_out_at ?? null,
    time_zone: input.time_zone ?? null,
  };
  return db.transaction(() => {
    if (!findIdentity(db, input.user_identity_id)) throw notFound('user_identity');
    if (row.customization_profile_id !== null && !findProfile(db, row.customization_profile_id)) throw notFound('customization_profile');
    db.prepare(
      `INSERT INTO instant_keys (instant_key_id, token_hash, user_identity_id, created_at, expires_at, max_use_count, revoked_at, customization,
                                 customization_profile_id, ticket_ttl_s, check_in_at, check_out_at, time_zone)
       VALUES (@instant_key_id, @token_hash, @user_identity_id, @created_at, @expires_at, @max_use_count, @revoked_at, @customization,
               @customization_profile_id, @ticket_ttl_s, @check_in_at, @check_out_at, @time_zone)`,
    ).run({ ...row, token_hash: sha256(token) });
    recordEvent(db, now, 'instant_key.created', { instant_key_id: row.instant_key_id, user_identity_id: row.user_identity_id });
    return toApi(db, row, brand, publicBaseUrl, `${publicBaseUrl}/k#${token}`);
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

/**
 * One key by id, or by its full link (whose token is hashed to find it), or 404
 * `instant_key_not_found`. Never echoes the link.
 */
export function getInstantKey(db: Db, by: { instant_key_id: string } | { token: string }, brand: Brand, base: string): ApiInstantKey {
  const row = 'instant_key_id' in by ? findKey(db, by.instant_key_id) : isInstantKeyToken(by.token) ? findKeyByTokenHash(db, sha256(by.token)) : undefined;
  if (!row) throw notFound('instant_key');
  return toApi(db, row, brand, base);
}

/** One page of keys, optionally of one identity, oldest first. */
export function listInstantKeys(db: Db, filter: { user_identity_id?: string | undefined }, brand: Brand, base: string, page: PageRequest): Page<ApiInstantKey> {
  const where = filter.user_identity_id === undefined ? [] : ['k.user_identity_id = @user_identity_id'];
  const { items, pagination } = selectPage<InstantKeyRow>(db, { table: 'instant_keys', alias: 'k', where, params: { ...filter } }, page);
  return { items: items.map((row) => toApi(db, row, brand, base)), pagination };
}

/** Revokes a key at once, keeping its record; revoking again changes nothing. */
export function revokeInstantKey(db: Db, now: number, id: string): void {
  db.transaction(() => {
    const row = findKey(db, id);
    if (!row) throw notFound('instant_key');
    if (row.revoked_at !== null) return;
    db.prepare('UPDATE instant_keys SET revoked_at = ? WHERE instant_key_id = ?').run(now, id);
    recordEvent(db, now, 'instant_key.revoked', { instant_key_id: id, user_identity_id: row.user_identity_id });
  }).immediate();
}

/**
 * Admits `deviceId` (a proven device: its key's thumbprint) for a key: a device seen before
 * always is; a new one only while fewer than `max_use_count` devices are. Call inside a
 * transaction.
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
export function useInstantKey(db: Db, now: number, tokenKey: string, device: { device_id: string; device_description: string | undefined }, cache: KeyCache): KeyUse {
  const key = cache.key(tokenKey, () => findKeyByTokenHash(db, Buffer.from(tokenKey, 'base64')));
  if (!key) return { outcome: 'invalid' };
  const refusal: KeyRefusal | null =
    key.revoked_at !== null ? 'revoked' : now >= key.expires_at ? 'expired' : admitDevice(db, now, key, device.device_id, cache) ? null : 'max_use_count_exceeded';
  const fields = { instant_key_id: key.instant_key_id, user_identity_id: key.user_identity_id, device_id: device.device_id, device_description: device.device_description };
  if (refusal !== null) {
    recordEvent(db, now, 'instant_key.use_denied', { ...fields, reason: refusal });
    return { outcome: refusal, key };
  }
  recordEvent(db, now, 'instant_key.used', fields);
  return { outcome: 'admitted', key };
}
