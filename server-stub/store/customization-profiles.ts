import { randomUUID } from 'node:crypto';
import type { Db } from '../db.ts';
import { notFound } from '../errors.ts';
import { iso } from '../time.ts';
import { workspaceIds } from './workspace.ts';

/**
 * What an issuer may brand a key with (the credential contract's `customization`): Seam's
 * colours and logo, and this server's hotel name, support contact and accent colour.
 */
export interface CustomizationFields {
  primary_color?: string;
  secondary_color?: string;
  /** https URL. */
  logo_url?: string;
  hotel_name?: string;
  /** E.164. */
  support_phone?: string;
  support_email?: string;
  /** `#rrggbb`. */
  accent_color?: string;
}

export interface ProfileRow {
  customization_profile_id: string;
  name: string | null;
  /** JSON of {@link CustomizationFields}. */
  fields: string;
  created_at: number;
}

/** Seam's `customization_profile`, with this server's extra fields when set. */
export type ApiCustomizationProfile = { customization_profile_id: string; name: string | null; workspace_id: string; created_at: string } & CustomizationFields;

function toApi(db: Db, row: ProfileRow): ApiCustomizationProfile {
  return profileToApi(row, workspaceIds(db).workspace_id);
}

/** A profile row as the API shows it. */
export function profileToApi(row: ProfileRow, workspace_id: string): ApiCustomizationProfile {
  return {
    customization_profile_id: row.customization_profile_id,
    name: row.name,
    ...(JSON.parse(row.fields) as CustomizationFields),
    workspace_id,
    created_at: iso(row.created_at),
  };
}

/** The profile's fields, or `undefined` when there is no such profile. */
export function findProfile(db: Db, id: string): CustomizationFields | undefined {
  const fields = db.prepare('SELECT fields FROM customization_profiles WHERE customization_profile_id = ?').pluck().get(id) as string | undefined;
  return fields === undefined ? undefined : (JSON.parse(fields) as CustomizationFields);
}

function findRow(db: Db, id: string): ProfileRow {
  const row = db.prepare('SELECT * FROM customization_profiles WHERE customization_profile_id = ?').get(id) as ProfileRow | undefined;
  if (!row) throw notFound('customization_profile');
  return row;
}

/** Creates a profile. */
export function createProfile(db: Db, now: number, name: string | undefined, fields: CustomizationFields): ApiCustomizationProfile {
  const row: ProfileRow = { customization_profile_id: randomUUID(), name: name ?? null, fields: JSON.stringify(fields), created_at: now };
  db.prepare('INSERT INTO customization_profiles VALUES (@customization_profile_id, @name, @fields, @created_at)').run(row);
  return toApi(db, row);
}

/** One profile, or 404 `customization_profile_not_found`. */
export function getProfile(db: Db, id: string): ApiCustomizationProfile {
  return toApi(db, findRow(db, id));
}

/** Every profile, oldest first. */
export function listProfiles(db: Db): ApiCustomizationProfile[] {
  return (db.prepare('SELECT * FROM customization_profiles ORDER BY created_at, rowid').all() as ProfileRow[]).map((row) => toApi(db, row));
}

/**
 * Changes a profile: given fields replace, `null` ones (in `cleared`) go back to the
 * server's defaults. Keys using the profile show the change on their next fetch.
 */
export function updateProfile(db: Db, id: string, changes: { name?: string | null; fields: CustomizationFields; cleared: (keyof CustomizationFields)[] }): ApiCustomizationProfile {
  return db.transaction(() => {
    const row = findRow(db, id);
    const fields = { ...(JSON.parse(row.fields) as CustomizationFields), ...changes.fields };
    for (const key of changes.cleared) delete fields[key];
    const next: ProfileRow = { ...row, name: changes.name === undefined ? row.name : changes.name, fields: JSON.stringify(fields) };
    db.prepare('UPDATE customization_profiles SET name = @name, fields = @fields WHERE customization_profile_id = @customization_profile_id').run(next);
    return toApi(db, next);
  }).immediate();
}
