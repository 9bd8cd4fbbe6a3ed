import type { Pool, PoolClient } from 'pg';
import { StoreError } from '../../db.ts';

/*
 * The PostgreSQL schema, as versioned steps: `schema_migrations` records each one applied.
 * Several instances may start together: every instance takes the same advisory lock before it
 * looks, so exactly one runs each step and the others find it done. Append, never edit.
 *
 * Times are Unix milliseconds (bigint), as in the SQLite store, so both stores share the
 * route code's arithmetic; ids are text UUIDs; keys and hashes are bytea.
 */

/** Key of the advisory lock that serializes migrations (any constant unique to this app). */
const MIGRATION_LOCK = 0x494b_4d49; // "IKMI"

const MIGRATIONS: string[] = [
  // The whole schema as the SQLite store has it after its own migrations (db.ts): Seam's
  // fields, customization profiles, device descriptions, lock revocation lists and updates;
  // plus what several instances need in the database: the DPoP proofs already accepted, and
  // plan versions that tell an instance whether its cached plan is still current.
  // Listed tables have a `seq` identity: pages are ordered by (created_at, seq), as SQLite's by
  // (created_at, rowid).
  `CREATE TABLE workspace (singleton integer PRIMARY KEY CHECK (singleton = 1), workspace_id text NOT NULL);
   CREATE TABLE user_identities (
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
     user_identity_id text PRIMARY KEY,
     user_identity_key text,
     full_name text,
     email_address text,
     phone_number text,
     created_at bigint NOT NULL,
     -- Bumped by every change to what this identity's keys show (see the triggers below):
     -- an instance may reuse a cached plan only while the version it cached is current.
     plan_version bigint NOT NULL DEFAULT 0
   );
   -- Seam's rule, enforced by the database so that two instances cannot both create one.
   CREATE UNIQUE INDEX user_identities_key_unique ON user_identities (user_identity_key);
   CREATE UNIQUE INDEX user_identities_email_unique ON user_identities (lower(email_address));
   CREATE UNIQUE INDEX user_identities_phone_unique ON user_identities (phone_number);
   CREATE TABLE acs_entrances (
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
     acs_entrance_id text PRIMARY KEY,
     display_name text NOT NULL,
     kind text NOT NULL,
     lock_id text NOT NULL UNIQUE,
     ble_name text NOT NULL,
     lock_key bytea NOT NULL,
     created_at bigint NOT NULL,
     floor text,
     room_type text,
     hours text,
     location text
   );
   CREATE TABLE customization_profiles (
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
     customization_profile_id text PRIMARY KEY,
     name text,
     fields text NOT NULL,
     created_at bigint NOT NULL
   );
   CREATE TABLE access_grants (
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
     access_grant_id text PRIMARY KEY,
     user_identity_id text NOT NULL REFERENCES user_identities ON DELETE CASCADE,
     starts_at bigint NOT NULL,
     ends_at bigint NOT NULL,
     created_at bigint NOT NULL,
     updated_at bigint NOT NULL,
     name text,
     access_grant_key text,
     customization_profile_id text,
     instant_key_max_use_count integer,
     CHECK (ends_at > starts_at)
   );
   CREATE UNIQUE INDEX access_grants_key_unique ON access_grants (access_grant_key);
   CREATE INDEX access_grants_by_identity ON access_grants (user_identity_id);
   CREATE TABLE access_grant_entrances (
     access_grant_id text NOT NULL REFERENCES access_grants ON DELETE CASCADE,
     acs_entrance_id text NOT NULL REFERENCES acs_entrances,
     position integer NOT NULL,
     PRIMARY KEY (access_grant_id, acs_entrance_id)
   );
   CREATE INDEX access_grant_entrances_by_entrance ON access_grant_entrances (acs_entrance_id);
   -- Keys outlive their identity (revoked, for the audit trail), so no foreign key here.
   CREATE TABLE instant_keys (
     seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
     instant_key_id text PRIMARY KEY,
     token_hash bytea NOT NULL UNIQUE,
     user_identity_id text NOT NULL,
     created_at bigint NOT NULL,
     expires_at bigint NOT NULL,
     max_use_count integer CHECK (max_use_count >= 1),
     revoked_at bigint,
     customization text NOT NULL,
     customization_profile_id text,
     ticket_ttl_s integer,
     check_in_at bigint,
     check_out_at bigint,
     time_zone text
   );
   CREATE INDEX instant_keys_by_identity ON instant_keys (user_identity_id);
   CREATE TABLE instant_key_devices (
     instant_key_id text NOT NULL REFERENCES instant_keys,
     device_id text NOT NULL,
     first_used_at bigint NOT NULL,
     PRIMARY KEY (instant_key_id, device_id)
   );
   CREATE TABLE events (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     event_id text NOT NULL DEFAULT gen_random_uuid()::text,
     event_type text NOT NULL,
     occurred_at bigint NOT NULL,
     instant_key_id text,
     user_identity_id text,
     access_grant_id text,
     acs_entrance_id text,
     device_id text,
     device_description text,
     reason text,
     details text
   );
   CREATE INDEX events_by_time ON events (occurred_at, seq);
   CREATE INDEX events_by_key ON events (instant_key_id);
   CREATE INDEX events_by_identity ON events (user_identity_id);
   CREATE INDEX events_by_grant ON events (access_grant_id);
   CREATE TABLE lock_revocations (
     lock_id text NOT NULL,
     credential_id text NOT NULL,
     until bigint NOT NULL,
     PRIMARY KEY (lock_id, credential_id)
   );
   CREATE TABLE lock_updates (
     lock_id text PRIMARY KEY,
     sequence bigint NOT NULL,
     lock_update bytea NOT NULL,
     sealed_at bigint NOT NULL
   );
   -- Every DPoP proof accepted, until it could no longer be: a proof replayed to any instance
   -- within its window finds its jti here.
   CREATE TABLE dpop_proofs (jti text PRIMARY KEY, until bigint NOT NULL);
   CREATE INDEX dpop_proofs_by_until ON dpop_proofs (until);
   -- What every key's plan depends on beyond its identity's grants: customization profiles and
   -- lock updates. Bumped by triggers; part of the version ik_use_key returns.
   CREATE TABLE plan_epoch (singleton integer PRIMARY KEY CHECK (singleton = 1), epoch bigint NOT NULL);
   INSERT INTO plan_epoch VALUES (1, 0);

   -- What a key shows changes when its identity's grants or their entrances change.
   CREATE FUNCTION ik_bump_plan_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_TABLE_NAME = 'access_grants' THEN
       UPDATE user_identities SET plan_version = plan_version + 1
        WHERE user_identity_id IN (COALESCE(NEW.user_identity_id, OLD.user_identity_id), COALESCE(OLD.user_identity_id, NEW.user_identity_id));
     ELSE
       UPDATE user_identities SET plan_version = plan_version + 1
        WHERE user_identity_id IN (SELECT user_identity_id FROM access_grants
                                    WHERE access_grant_id IN (COALESCE(NEW.access_grant_id, OLD.access_grant_id), COALESCE(OLD.access_grant_id, NEW.access_grant_id)));
     END IF;
     RETURN NULL;
   END $$;
   CREATE TRIGGER access_grants_plan AFTER INSERT OR UPDATE OR DELETE ON access_grants
     FOR EACH ROW EXECUTE FUNCTION ik_bump_plan_version();
   CREATE TRIGGER access_grant_entrances_plan AFTER INSERT OR UPDATE OR DELETE ON access_grant_entrances
     FOR EACH ROW EXECUTE FUNCTION ik_bump_plan_version();
   CREATE FUNCTION ik_bump_plan_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     UPDATE plan_epoch SET epoch = epoch + 1;
     RETURN NULL;
   END $$;
   CREATE TRIGGER customization_profiles_plan AFTER UPDATE OR DELETE ON customization_profiles
     FOR EACH STATEMENT EXECUTE FUNCTION ik_bump_plan_epoch();
   CREATE TRIGGER lock_updates_plan AFTER INSERT OR UPDATE OR DELETE ON lock_updates
     FOR EACH STATEMENT EXECUTE FUNCTION ik_bump_plan_epoch();
   CREATE TRIGGER acs_entrances_plan AFTER UPDATE OR DELETE ON acs_entrances
     FOR EACH STATEMENT EXECUTE FUNCTION ik_bump_plan_epoch();
   CREATE TRIGGER user_identities_plan AFTER UPDATE OF full_name ON user_identities
     FOR EACH STATEMENT EXECUTE FUNCTION ik_bump_plan_epoch();

   -- One credential request in one round trip. Refuses a DPoP proof already accepted (by any
   -- instance); finds the key by its token hash; decides revoked, expired and the device limit,
   -- admitting a new device under the key row's lock (so concurrent first uses cannot both see
   -- room for one more); records the use or the refusal; picks the commit mode (an admission,
   -- or its refusal, is durable before the answer; a repeat use by an admitted device commits
   -- asynchronously); and returns the plan version, with the plan's data when the caller's
   -- cached version (p_known) is not the current one.
   CREATE FUNCTION ik_use_key(p_token_hash bytea, p_device text, p_description text, p_now bigint,
                              p_jti text, p_jti_until bigint, p_known text)
   RETURNS TABLE (outcome text, key json, version text, plan json)
   LANGUAGE plpgsql AS $$
   #variable_conflict use_column
   DECLARE
     k instant_keys%ROWTYPE;
     v_outcome text;
     v_version text;
     v_plan json;
   BEGIN
     INSERT INTO dpop_proofs AS d VALUES (p_jti, p_jti_until)
       ON CONFLICT (jti) DO UPDATE SET until = EXCLUDED.until WHERE d.until <= p_now;
     IF NOT FOUND THEN
       RETURN QUERY SELECT 'replayed'::text, NULL::json, NULL::text, NULL::json;
       RETURN;
     END IF;
     SELECT * INTO k FROM instant_keys WHERE token_hash = p_token_hash;
     IF NOT FOUND THEN
       RETURN QUERY SELECT 'invalid'::text, NULL::json, NULL::text, NULL::json;
       RETURN;
     END IF;
     IF k.revoked_at IS NOT NULL THEN
       v_outcome := 'revoked';
     ELSIF p_now >= k.expires_at THEN
       v_outcome := 'expired';
     ELSIF EXISTS (SELECT 1 FROM instant_key_devices d WHERE d.instant_key_id = k.instant_key_id AND d.device_id = p_device) THEN
       v_outcome := 'admitted';
       PERFORM set_config('synchronous_commit', 'off', true);
     ELSE
       -- Serializes first uses of this key; re-read under the lock (a revocation may have
       -- committed meanwhile, and at READ COMMITTED each statement sees the latest commits).
       SELECT * INTO k FROM instant_keys WHERE instant_keys.instant_key_id = k.instant_key_id FOR UPDATE;
       IF k.revoked_at IS NOT NULL THEN
         v_outcome := 'revoked';
       ELSIF EXISTS (SELECT 1 FROM instant_key_devices d WHERE d.instant_key_id = k.instant_key_id AND d.device_id = p_device) THEN
         v_outcome := 'admitted';
       ELSIF k.max_use_count IS NOT NULL
             AND (SELECT count(*) FROM instant_key_devices d WHERE d.instant_key_id = k.instant_key_id) >= k.max_use_count THEN
         v_outcome := 'max_use_count_exceeded';
       ELSE
         INSERT INTO instant_key_devices VALUES (k.instant_key_id, p_device, p_now);
         v_outcome := 'admitted';
       END IF;
     END IF;
     INSERT INTO events (event_type, occurred_at, instant_key_id, user_identity_id, device_id, device_description, reason)
     VALUES (CASE WHEN v_outcome = 'admitted' THEN 'instant_key.used' ELSE 'instant_key.use_denied' END,
             p_now, k.instant_key_id, k.user_identity_id, p_device, p_description,
             CASE WHEN v_outcome = 'admitted' THEN NULL ELSE v_outcome END);
     IF v_outcome = 'admitted' THEN
       SELECT u.plan_version::text || ':' || (SELECT e.epoch FROM plan_epoch e)::text INTO v_version
         FROM user_identities u WHERE u.user_identity_id = k.user_identity_id;
       v_version := COALESCE(v_version, 'none');
       IF p_known IS DISTINCT FROM v_version THEN
         SELECT json_build_object(
           'full_name', (SELECT u.full_name FROM user_identities u WHERE u.user_identity_id = k.user_identity_id),
           'profile', (SELECT p.fields FROM customization_profiles p WHERE p.customization_profile_id = k.customization_profile_id),
           'pairs', COALESCE((
             SELECT json_agg(json_build_object(
                      'access_grant_id', g.access_grant_id, 'starts_at', g.starts_at, 'ends_at', g.ends_at,
                      'acs_entrance_id', e.acs_entrance_id, 'display_name', e.display_name, 'kind', e.kind,
                      'lock_id', e.lock_id, 'ble_name', e.ble_name, 'lock_key', encode(e.lock_key, 'base64'),
                      'created_at', e.created_at, 'floor', e.floor, 'room_type', e.room_type, 'hours', e.hours,
                      'location', e.location, 'lock_update', encode(lu.lock_update, 'base64'))
                    ORDER BY g.starts_at, g.created_at, g.seq, ge.position)
               FROM access_grants g
               JOIN access_grant_entrances ge ON ge.access_grant_id = g.access_grant_id
               JOIN acs_entrances e ON e.acs_entrance_id = ge.acs_entrance_id
               LEFT JOIN lock_updates lu ON lu.lock_id = e.lock_id
              WHERE g.user_identity_id = k.user_identity_id AND g.ends_at > p_now), '[]'::json)
         ) INTO v_plan;
       END IF;
     END IF;
     RETURN QUERY SELECT v_outcome,
       json_build_object('instant_key_id', k.instant_key_id, 'user_identity_id', k.user_identity_id, 'created_at', k.created_at,
                         'expires_at', k.expires_at, 'max_use_count', k.max_use_count, 'revoked_at', k.revoked_at,
                         'customization', k.customization, 'customization_profile_id', k.customization_profile_id,
                         'ticket_ttl_s', k.ticket_ttl_s, 'check_in_at', k.check_in_at, 'check_out_at', k.check_out_at,
                         'time_zone', k.time_zone),
       v_version, v_plan;
   END $$;`,
];

/** How many migrations this server knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to date under the migration lock; returns the versions this call
 * applied (none when another instance already had). Refuses a database newer than this server.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      return await applyPending(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

async function applyPending(client: PoolClient): Promise<number[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  const current = rows[0]?.version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new StoreError(`database schema version ${current} is newer than this server (${MIGRATIONS.length})`);
  }
  const applied: number[] = [];
  for (let v = current; v < MIGRATIONS.length; v++) {
    await client.query('BEGIN');
    try {
      await client.query(MIGRATIONS[v]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    applied.push(v + 1);
  }
  return applied;
}
