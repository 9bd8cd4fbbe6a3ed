import type { Pool, PoolClient } from 'pg';

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
  `CREATE TABLE user_identities (
     user_identity_id text PRIMARY KEY,
     user_identity_key text UNIQUE,
     full_name text,
     email_address text,
     phone_number text,
     created_at bigint NOT NULL,
     -- Bumped by every change to what this identity's keys show (see the triggers below):
     -- an instance may reuse a cached plan only while the version it cached is current.
     plan_version bigint NOT NULL DEFAULT 0
   );
   CREATE TABLE acs_entrances (
     acs_entrance_id text PRIMARY KEY,
     display_name text NOT NULL,
     kind text NOT NULL,
     lock_id text NOT NULL UNIQUE,
     ble_name text NOT NULL,
     lock_key bytea NOT NULL,
     created_at bigint NOT NULL
   );
   CREATE TABLE access_grants (
     access_grant_id text PRIMARY KEY,
     user_identity_id text NOT NULL REFERENCES user_identities ON DELETE CASCADE,
     starts_at bigint NOT NULL,
     ends_at bigint NOT NULL,
     created_at bigint NOT NULL,
     updated_at bigint NOT NULL,
     CHECK (ends_at > starts_at)
   );
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
     instant_key_id text PRIMARY KEY,
     token_hash bytea NOT NULL UNIQUE,
     user_identity_id text NOT NULL,
     created_at bigint NOT NULL,
     expires_at bigint NOT NULL,
     max_use_count integer CHECK (max_use_count >= 1),
     revoked_at bigint,
     customization text NOT NULL
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
     event_id uuid NOT NULL DEFAULT gen_random_uuid(),
     event_type text NOT NULL,
     occurred_at bigint NOT NULL,
     instant_key_id text,
     user_identity_id text,
     access_grant_id text,
     device_id text,
     user_agent text,
     reason text
   );
   CREATE INDEX events_by_time ON events (occurred_at, seq);

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

   -- One credential request in one round trip: finds the key by its token hash, decides
   -- revoked, expired and the device limit, admits a new device under the key row's lock
   -- (so concurrent first uses cannot both see room for one more), records the use or the
   -- refusal, and picks the commit mode: an admission (or its refusal) is durable before the
   -- answer; a repeat use by an admitted device commits asynchronously.
   CREATE FUNCTION ik_use_key(p_token_hash bytea, p_device text, p_user_agent text, p_now bigint)
   RETURNS TABLE (outcome text, instant_key_id text, user_identity_id text, created_at bigint, expires_at bigint,
                  max_use_count integer, revoked_at bigint, customization text, plan_version bigint)
   LANGUAGE plpgsql AS $$
   #variable_conflict use_column
   DECLARE
     k instant_keys%ROWTYPE;
     v_outcome text;
     v_version bigint;
     v_known boolean;
   BEGIN
     SELECT * INTO k FROM instant_keys WHERE token_hash = p_token_hash;
     IF NOT FOUND THEN
       RETURN QUERY SELECT 'invalid'::text, NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::integer, NULL::bigint, NULL::text, NULL::bigint;
       RETURN;
     END IF;
     IF k.revoked_at IS NOT NULL THEN
       v_outcome := 'revoked';
     ELSIF p_now >= k.expires_at THEN
       v_outcome := 'expired';
     ELSE
       v_known := EXISTS (SELECT 1 FROM instant_key_devices d WHERE d.instant_key_id = k.instant_key_id AND d.device_id = p_device);
       IF v_known THEN
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
     END IF;
     INSERT INTO events (event_type, occurred_at, instant_key_id, user_identity_id, device_id, user_agent, reason)
     VALUES (CASE WHEN v_outcome = 'admitted' THEN 'instant_key.used' ELSE 'instant_key.use_denied' END,
             p_now, k.instant_key_id, k.user_identity_id, p_device, p_user_agent,
             CASE WHEN v_outcome = 'admitted' THEN NULL ELSE v_outcome END);
     SELECT u.plan_version INTO v_version FROM user_identities u WHERE u.user_identity_id = k.user_identity_id;
     RETURN QUERY SELECT v_outcome, k.instant_key_id, k.user_identity_id, k.created_at, k.expires_at,
                         k.max_use_count, k.revoked_at, k.customization, v_version;
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
    throw new Error(`database schema version ${current} is newer than this server (${MIGRATIONS.length})`);
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
