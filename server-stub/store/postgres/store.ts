import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { CLOCK_SKEW_S, MAX_UPDATE_ENTRIES } from '../../../src/protocol/constants.ts';
import { sealLockUpdate } from '../../../src/protocol/lock-update.ts';
import type { ServerConfig } from '../../config.ts';
import { credentialIdFor } from '../../credential-ids.ts';
import { buildPlan, type CredentialPlan } from '../../credentials.ts';
import { StoreClosedError } from '../../db.ts';
import { invalidInput, notFound } from '../../errors.ts';
import { eventToApi, type EventFields, type EventRow, type EventType } from '../../events.ts';
import { isInstantKeyToken, sha256 } from '../../tokens.ts';
import { profileToApi, type CustomizationFields, type ProfileRow } from '../customization-profiles.ts';
import { entranceToApi, newEntranceRow, type EntranceRow } from '../entrances.ts';
import { checkWindow, grantToApi, OPEN_ENDED, type GrantEntrance, type GrantRef, type GrantRow } from '../grants.ts';
import { identityToApi, newIdentityRow, type IdentityRow } from '../identities.ts';
import { keyToApi, mergeCustomization, newKeyRow, type InstantKeyRow, type KeyRefusal } from '../instant-keys.ts';
import type { Page } from '../pagination.ts';
import type { Store } from '../store.ts';
import { uuidV5, type WorkspaceIds } from '../workspace.ts';
import { migrate } from './migrations.ts';
import { closedOr, containsText, createPool, row, rows, selectPage, transaction, type Queryable } from './sql.ts';

/** Plans kept at most per instance; past that the cache starts over (it only saves work). */
const MAX_PLANS = 10_000;
/** How often an instance deletes DPoP proofs past their window (any instance may). */
const PROOF_SWEEP_MS = 60_000;

/** A plan cached by this instance, valid while the database returns the same version. */
interface CachedPlan {
  version: string;
  from: number;
  plan: CredentialPlan;
}

/** What ik_use_key returns as its plan's data. */
interface PlanJson {
  full_name: string | null;
  profile: string | null;
  pairs: (Omit<EntranceRow, 'lock_key'> & { access_grant_id: string; starts_at: number; ends_at: number; lock_key: string; lock_update: string | null })[];
}

/**
 * The PostgreSQL store (DATABASE_URL), which several instances share. Every decision that
 * must hold across instances is the database's, taken in the request that needs it: the
 * credential path is one call of `ik_use_key()` (replayed proof, revoked, expired, device
 * limit under the key row's lock, the usage event, the commit mode). What an instance keeps
 * in memory: the workspace ids (written once, never changed), and credential plans, each
 * reused only while the version `ik_use_key()` returns in the same round trip is the one it
 * was built at.
 *
 * Durability: admin writes and admissions commit with `synchronous_commit` on (the server's
 * default), so they are on disk before the answer; a repeat use by an admitted device commits
 * with it off, so its event (and its proof's jti) may be lost if the database server crashes
 * within a fraction of a second (PostgreSQL's wal_writer_delay, 200 ms by default), never
 * an admission.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly remembersProofs = true;
  private readonly plans = new Map<string, CachedPlan>();
  private ids: WorkspaceIds | undefined;
  private readonly sweep: NodeJS.Timeout;
  private closed = false;
  /** Database round trips made, for the benchmark. */
  roundTrips = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly config: ServerConfig,
  ) {
    this.sweep = setInterval(() => {
      this.query('DELETE FROM dpop_proofs WHERE until <= $1', [config.clock()]).catch(() => undefined);
    }, PROOF_SWEEP_MS).unref();
  }

  /** Connects and migrates (once, under an advisory lock, however many instances start together). */
  static async open(config: ServerConfig): Promise<PostgresStore> {
    const pool = createPool(config.databaseUrl!);
    try {
      await migrate(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, config);
  }

  private async query(text: string, values: unknown[]): Promise<pg.QueryResult> {
    if (this.closed) throw new StoreClosedError();
    this.roundTrips++;
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      throw closedOr(error);
    }
  }

  /** The pool, counting round trips. */
  private get db(): Queryable {
    return { query: ((text: string, values?: unknown[]) => this.query(text, values ?? [])) as Queryable['query'] };
  }

  private tx<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return transaction(this.pool, (client) =>
      fn({
        query: ((text: string, values?: unknown[]) => {
          this.roundTrips++;
          return client.query(text, values);
        }) as Queryable['query'],
      }),
    );
  }

  useKey: Store['useKey'] = async ({ tokenKey, device, proof, now }) => {
    const named = this.cachedPlan(tokenKey, now);
    const { rows: [answer] } = await this.query('SELECT * FROM ik_use_key($1, $2, $3, $4, $5, $6, $7)', [
      Buffer.from(tokenKey, 'base64'),
      device.device_id,
      device.device_description ?? null,
      now,
      proof.jti,
      proof.until,
      named?.version ?? null,
    ]);
    const outcome = answer.outcome as 'invalid' | 'replayed' | KeyRefusal | 'admitted';
    if (outcome === 'invalid' || outcome === 'replayed') return { outcome };
    const key = answer.key as InstantKeyRow;
    if (outcome !== 'admitted') return { outcome, key };
    // The database sends the plan's data whenever the version this instance named is not the
    // current one; only when it did not is the named plan used.
    if (answer.plan === null && named) return { outcome, key, plan: named.plan };
    const plan = buildPlan(this.config, key, now, planData(answer.plan as PlanJson));
    if (this.plans.size >= MAX_PLANS) {
      this.plans.clear();
      this.keyOfToken.clear();
    }
    this.plans.set(key.instant_key_id, { version: answer.version as string, from: now, plan });
    this.keyOfToken.set(tokenKey, key.instant_key_id);
    return { outcome, key, plan };
  };

  /** Token hash (base64) -> instant key id, to name a cached plan's version before the database names the key. */
  private readonly keyOfToken = new Map<string, string>();

  /** This instance's plan for the token's key, if it still holds at `now` by time (the database decides whether it is current). */
  private cachedPlan(tokenKey: string, now: number): CachedPlan | undefined {
    const keyId = this.keyOfToken.get(tokenKey);
    const cached = keyId === undefined ? undefined : this.plans.get(keyId);
    return cached && cached.from <= now && now < cached.plan.changesAt ? cached : undefined;
  }

  workspace: Store['workspace'] = async () => {
    if (this.ids) return this.ids;
    await this.query('INSERT INTO workspace (singleton, workspace_id) VALUES (1, $1) ON CONFLICT DO NOTHING', [randomUUID()]);
    const { rows: [found] } = await this.query('SELECT workspace_id FROM workspace', []);
    const workspace_id = found.workspace_id as string;
    return (this.ids = {
      workspace_id,
      acs_system_id: uuidV5(workspace_id, 'acs_system:instant_key'),
      connected_account_id: uuidV5(workspace_id, 'connected_account:instant_key'),
    });
  };

  private async event(db: Queryable, now: number, type: EventType, fields: EventFields): Promise<void> {
    await rows(
      db,
      `INSERT INTO events (event_type, occurred_at, instant_key_id, user_identity_id, access_grant_id, acs_entrance_id, device_id, device_description, reason, details)
       VALUES (@type, @now, @instant_key_id, @user_identity_id, @access_grant_id, @acs_entrance_id, @device_id, @device_description, @reason, @details)`,
      {
        type,
        now,
        instant_key_id: fields.instant_key_id ?? null,
        user_identity_id: fields.user_identity_id ?? null,
        access_grant_id: fields.access_grant_id ?? null,
        acs_entrance_id: fields.acs_entrance_id ?? null,
        device_id: fields.device_id ?? null,
        device_description: fields.device_description ?? null,
        reason: fields.reason ?? null,
        details: fields.details ? JSON.stringify(fields.details) : null,
      },
    );
  }

  // Identities ------------------------------------------------------------------------------

  private async insertIdentity(db: Queryable, row: IdentityRow): Promise<void> {
    // The unique indexes decide (also against a concurrent create on another instance); their
    // violations answer 409 (sql.ts, apiErrorOf).
    await rows(
      db,
      `INSERT INTO user_identities (user_identity_id, user_identity_key, full_name, email_address, phone_number, created_at)
       VALUES (@user_identity_id, @user_identity_key, @full_name, @email_address, @phone_number, @created_at)`,
      { ...row },
    );
  }

  identities: Store['identities'] = {
    create: async (now, input) => {
      const row = newIdentityRow(now, input);
      const { workspace_id } = await this.workspace();
      await this.tx((db) => this.insertIdentity(db, row));
      return identityToApi(row, workspace_id);
    },
    get: async (by) => {
      const found = 'user_identity_id' in by
        ? await row<IdentityRow>(this.db, 'SELECT * FROM user_identities WHERE user_identity_id = @id', { id: by.user_identity_id })
        : await row<IdentityRow>(this.db, 'SELECT * FROM user_identities WHERE user_identity_key = @key', { key: by.user_identity_key });
      if (!found) throw notFound('user_identity');
      return identityToApi(found, (await this.workspace()).workspace_id);
    },
    list: async (filter, page) => {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.user_identity_ids) {
        where.push('u.user_identity_id = ANY(@ids)');
        params['ids'] = filter.user_identity_ids;
      }
      if (filter.search !== undefined) {
        where.push(containsText(['u.full_name', 'u.email_address', 'u.phone_number', 'u.user_identity_key']));
        params['q'] = filter.search;
      }
      if (filter.created_before !== undefined) {
        where.push('u.created_at < @created_before');
        params['created_before'] = filter.created_before;
      }
      const { workspace_id } = await this.workspace();
      const found = await selectPage<IdentityRow>(this.db, { table: 'user_identities', alias: 'u', where, params }, page);
      return { items: found.items.map((r) => identityToApi(r, workspace_id)), pagination: found.pagination };
    },
    delete: (now, id) =>
      this.tx(async (db) => {
        // The identity's row lock orders this delete against grants created for it meanwhile.
        if (!(await row(db, 'SELECT 1 FROM user_identities WHERE user_identity_id = @id FOR UPDATE', { id }))) throw notFound('user_identity');
        await this.revokeHeld(db, now, { userIdentityId: id });
        const grants = await rows<{ access_grant_id: string }>(db, 'SELECT access_grant_id FROM access_grants WHERE user_identity_id = @id ORDER BY created_at, seq', { id });
        for (const g of grants) await this.event(db, now, 'access_grant.deleted', { access_grant_id: g.access_grant_id, user_identity_id: id, reason: 'user_identity_deleted' });
        const keys = await rows<{ instant_key_id: string }>(
          db,
          'UPDATE instant_keys SET revoked_at = @now WHERE user_identity_id = @id AND revoked_at IS NULL RETURNING instant_key_id',
          { id, now },
        );
        for (const k of keys) await this.event(db, now, 'instant_key.revoked', { instant_key_id: k.instant_key_id, user_identity_id: id, reason: 'user_identity_deleted' });
        // Grants and their entrance links go by ON DELETE CASCADE.
        await rows(db, 'DELETE FROM user_identities WHERE user_identity_id = @id', { id });
      }),
  };

  // Entrances -------------------------------------------------------------------------------

  entrances: Store['entrances'] = {
    create: async (now, input) => {
      const r = newEntranceRow(now, input);
      await rows(
        this.db,
        `INSERT INTO acs_entrances (acs_entrance_id, display_name, kind, lock_id, ble_name, lock_key, created_at, floor, room_type, hours, location)
         VALUES (@acs_entrance_id, @display_name, @kind, @lock_id, @ble_name, @lock_key, @created_at, @floor, @room_type, @hours, @location)`,
        { ...r },
      );
      const out = entranceToApi(r, await this.workspace());
      out.lock.lock_key = r.lock_key.toString('base64url');
      return out;
    },
    get: async (id) => {
      const found = await row<EntranceRow>(this.db, 'SELECT * FROM acs_entrances WHERE acs_entrance_id = @id', { id });
      if (!found) throw notFound('acs_entrance');
      return entranceToApi(found, await this.workspace());
    },
    list: async (filter, page) => {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.matches === false) where.push('false');
      if (filter.acs_entrance_ids) {
        where.push('e.acs_entrance_id = ANY(@ids)');
        params['ids'] = filter.acs_entrance_ids;
      }
      if (filter.search !== undefined) {
        where.push(containsText(['e.display_name']));
        params['q'] = filter.search;
      }
      const ids = await this.workspace();
      const found = await selectPage<EntranceRow>(this.db, { table: 'acs_entrances', alias: 'e', where, params }, page);
      return { items: found.items.map((r) => entranceToApi(r, ids)), pagination: found.pagination };
    },
  };

  // Grants ----------------------------------------------------------------------------------

  private async grantApi(db: Queryable, r: GrantRow): Promise<ReturnType<typeof grantToApi>> {
    const entrances = await rows<{ acs_entrance_id: string; display_name: string }>(
      db,
      `SELECT e.acs_entrance_id, e.display_name FROM access_grant_entrances ge JOIN acs_entrances e USING (acs_entrance_id)
        WHERE ge.access_grant_id = @id ORDER BY ge.position`,
      { id: r.access_grant_id },
    );
    return grantToApi(r, entrances.map((e) => e.acs_entrance_id), entrances.map((e) => e.display_name), (await this.workspace()).workspace_id);
  }

  private findGrant(db: Queryable, ref: GrantRef, lock = false): Promise<GrantRow | undefined> {
    const forUpdate = lock ? ' FOR UPDATE' : '';
    return 'access_grant_id' in ref
      ? row<GrantRow>(db, `SELECT * FROM access_grants WHERE access_grant_id = @id${forUpdate}`, { id: ref.access_grant_id })
      : row<GrantRow>(db, `SELECT * FROM access_grants WHERE access_grant_key = @key${forUpdate}`, { key: ref.access_grant_key });
  }

  private async checkEntrances(db: Queryable, ids: string[]): Promise<void> {
    // KEY SHARE: an entrance cannot go while a grant is being pointed at it.
    const found = await rows<{ acs_entrance_id: string }>(db, 'SELECT acs_entrance_id FROM acs_entrances WHERE acs_entrance_id = ANY(@ids) FOR KEY SHARE', { ids });
    if (found.length !== new Set(ids).size) throw notFound('acs_entrance');
  }

  private async setEntrances(db: Queryable, grantId: string, ids: string[]): Promise<void> {
    await rows(db, 'DELETE FROM access_grant_entrances WHERE access_grant_id = @id', { id: grantId });
    await rows(
      db,
      'INSERT INTO access_grant_entrances (access_grant_id, acs_entrance_id, position) SELECT @id, e, p - 1 FROM unnest(@ids::text[]) WITH ORDINALITY AS t(e, p)',
      { id: grantId, ids },
    );
  }

  private async insertKey(db: Queryable, now: number, input: Parameters<Store['instantKeys']['generate']>[1], base: string) {
    const { token, row: r } = newKeyRow(now, input);
    // KEY SHARE on the identity: a concurrent delete of it waits for this key, then revokes it.
    if (!(await row(db, 'SELECT 1 FROM user_identities WHERE user_identity_id = @id FOR KEY SHARE', { id: input.user_identity_id }))) throw notFound('user_identity');
    const profile = r.customization_profile_id === null ? undefined : await this.profileFields(db, r.customization_profile_id);
    if (r.customization_profile_id !== null && !profile) throw notFound('customization_profile');
    await rows(
      db,
      `INSERT INTO instant_keys (instant_key_id, token_hash, user_identity_id, created_at, expires_at, max_use_count, revoked_at, customization,
                                 customization_profile_id, ticket_ttl_s, check_in_at, check_out_at, time_zone)
       VALUES (@instant_key_id, @token_hash, @user_identity_id, @created_at, @expires_at, @max_use_count, @revoked_at, @customization,
               @customization_profile_id, @ticket_ttl_s, @check_in_at, @check_out_at, @time_zone)`,
      { ...r, token_hash: sha256(token) },
    );
    await this.event(db, now, 'instant_key.created', { instant_key_id: r.instant_key_id, user_identity_id: r.user_identity_id });
    const customization = mergeCustomization(this.config.brand, profile, r.customization);
    return keyToApi(r, { use_count: 0, customization, workspace_id: (await this.workspace()).workspace_id }, base, `${base}/k#${token}`);
  }

  grants: Store['grants'] = {
    create: (now, input, key, base) => {
      const endsAt = input.ends_at ?? OPEN_ENDED;
      checkWindow(input.starts_at, endsAt);
      if (endsAt <= now) {
        throw invalidInput('Invalid input: ends_at: must be in the future', { _errors: [], ends_at: { _errors: ['Must be in the future'] } });
      }
      return this.tx(async (db) => {
        let userIdentityId = input.user_identity_id;
        if (input.user_identity) {
          const identity = newIdentityRow(now, input.user_identity);
          await this.insertIdentity(db, identity);
          userIdentityId = identity.user_identity_id;
        } else if (!userIdentityId || !(await row(db, 'SELECT 1 FROM user_identities WHERE user_identity_id = @id FOR KEY SHARE', { id: userIdentityId }))) {
          throw notFound('user_identity');
        }
        await this.checkEntrances(db, input.acs_entrance_ids);
        if (input.customization_profile_id !== undefined && !(await this.profileFields(db, input.customization_profile_id))) throw notFound('customization_profile');
        const r: GrantRow = {
          access_grant_id: randomUUID(),
          user_identity_id: userIdentityId!,
          starts_at: input.starts_at,
          ends_at: endsAt,
          created_at: now,
          updated_at: now,
          name: input.name ?? null,
          access_grant_key: input.access_grant_key ?? null,
          customization_profile_id: input.customization_profile_id ?? null,
          instant_key_max_use_count: input.instant_key_max_use_count ?? null,
        };
        // access_grants_key_unique answers a taken access_grant_key (409), concurrent or not.
        await rows(
          db,
          `INSERT INTO access_grants (access_grant_id, user_identity_id, starts_at, ends_at, created_at, updated_at, name, access_grant_key, customization_profile_id, instant_key_max_use_count)
           VALUES (@access_grant_id, @user_identity_id, @starts_at, @ends_at, @created_at, @updated_at, @name, @access_grant_key, @customization_profile_id, @instant_key_max_use_count)`,
          { ...r },
        );
        await this.setEntrances(db, r.access_grant_id, input.acs_entrance_ids);
        await this.event(db, now, 'access_grant.created', { access_grant_id: r.access_grant_id, user_identity_id: r.user_identity_id });
        const grant = await this.grantApi(db, r);
        if (key) {
          const issued = await this.insertKey(db, now, { user_identity_id: r.user_identity_id, ...key, customization: {} }, base);
          grant.instant_key_url = issued.instant_key_url;
        }
        return grant;
      });
    },
    update: (now, ref, changes) =>
      this.tx(async (db) => {
        // The grant's row lock serializes concurrent updates (two instances, one grant).
        const r = await this.findGrant(db, ref, true);
        if (!r) throw notFound('access_grant');
        const id = r.access_grant_id;
        const next: GrantRow = { ...r, updated_at: now };
        if (changes.starts_at !== undefined) next.starts_at = changes.starts_at;
        if (changes.ends_at !== undefined) next.ends_at = changes.ends_at ?? OPEN_ENDED;
        if (changes.name !== undefined) next.name = changes.name;
        checkWindow(next.starts_at, next.ends_at);
        const subject = { access_grant_id: id, user_identity_id: r.user_identity_id };
        if (changes.acs_entrance_ids) {
          await this.checkEntrances(db, changes.acs_entrance_ids);
          const before = new Set((await rows<{ acs_entrance_id: string }>(db, 'SELECT acs_entrance_id FROM access_grant_entrances WHERE access_grant_id = @id ORDER BY position', { id })).map((e) => e.acs_entrance_id));
          const after = new Set(changes.acs_entrance_ids);
          await this.setEntrances(db, id, changes.acs_entrance_ids);
          for (const e of after) if (!before.has(e)) await this.event(db, now, 'access_grant.access_granted_to_door', { ...subject, acs_entrance_id: e });
          for (const e of before) if (!after.has(e)) await this.event(db, now, 'access_grant.access_to_door_lost', { ...subject, acs_entrance_id: e });
        }
        await rows(db, 'UPDATE access_grants SET starts_at = @starts_at, ends_at = @ends_at, name = @name, updated_at = @updated_at WHERE access_grant_id = @access_grant_id', {
          starts_at: next.starts_at,
          ends_at: next.ends_at,
          name: next.name,
          updated_at: next.updated_at,
          access_grant_id: id,
        });
        const api = await this.grantApi(db, next);
        if (next.starts_at !== r.starts_at || next.ends_at !== r.ends_at) {
          await this.event(db, now, 'access_grant.access_times_changed', { ...subject, details: { starts_at: api.starts_at, ends_at: api.ends_at } });
        }
        return api;
      }),
    get: async (ref) => {
      const r = await this.findGrant(this.db, ref);
      if (!r) throw notFound('access_grant');
      return this.grantApi(this.db, r);
    },
    list: async (filter, page) => {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.matches === false) where.push('false');
      if (filter.user_identity_id !== undefined) {
        where.push('g.user_identity_id = @user_identity_id');
        params['user_identity_id'] = filter.user_identity_id;
      }
      if (filter.acs_entrance_id !== undefined) {
        where.push('EXISTS (SELECT 1 FROM access_grant_entrances e WHERE e.access_grant_id = g.access_grant_id AND e.acs_entrance_id = @acs_entrance_id)');
        params['acs_entrance_id'] = filter.acs_entrance_id;
      }
      if (filter.access_grant_ids) {
        where.push('g.access_grant_id = ANY(@ids)');
        params['ids'] = filter.access_grant_ids;
      }
      if (filter.access_grant_key !== undefined) {
        where.push('g.access_grant_key = @access_grant_key');
        params['access_grant_key'] = filter.access_grant_key;
      }
      const found = await selectPage<GrantRow>(this.db, { table: 'access_grants', alias: 'g', where, params }, page);
      const items = [];
      for (const r of found.items) items.push(await this.grantApi(this.db, r));
      return { items, pagination: found.pagination };
    },
    delete: (now, ref) =>
      this.tx(async (db) => {
        const r = await this.findGrant(db, ref, true);
        if (!r) throw notFound('access_grant');
        await this.revokeHeld(db, now, { accessGrantId: r.access_grant_id });
        await rows(db, 'DELETE FROM access_grants WHERE access_grant_id = @id', { id: r.access_grant_id });
        await this.event(db, now, 'access_grant.deleted', { access_grant_id: r.access_grant_id, user_identity_id: r.user_identity_id });
      }),
  };

  // Instant keys ----------------------------------------------------------------------------

  private async keyApi(db: Queryable, r: InstantKeyRow & { use_count?: number }, base: string) {
    const profile = r.customization_profile_id === null ? undefined : await this.profileFields(db, r.customization_profile_id);
    const { workspace_id } = await this.workspace();
    return keyToApi(r, { use_count: r.use_count ?? 0, customization: mergeCustomization(this.config.brand, profile, r.customization), workspace_id }, base);
  }

  /** Key columns (no token hash) with the count of admitted devices. */
  private static readonly KEY_COLUMNS = `k.instant_key_id, k.user_identity_id, k.created_at, k.expires_at, k.max_use_count, k.revoked_at, k.customization,
    k.customization_profile_id, k.ticket_ttl_s, k.check_in_at, k.check_out_at, k.time_zone, k.seq,
    (SELECT count(*)::int FROM instant_key_devices d WHERE d.instant_key_id = k.instant_key_id) AS use_count`;

  instantKeys: Store['instantKeys'] = {
    generate: (now, input, base) => this.tx((db) => this.insertKey(db, now, input, base)),
    get: async (by, base) => {
      let r: (InstantKeyRow & { use_count: number }) | undefined;
      if ('instant_key_id' in by) {
        r = await row(this.db, `SELECT ${PostgresStore.KEY_COLUMNS} FROM instant_keys k WHERE k.instant_key_id = @id`, { id: by.instant_key_id });
      } else if (isInstantKeyToken(by.token)) {
        r = await row(this.db, `SELECT ${PostgresStore.KEY_COLUMNS} FROM instant_keys k WHERE k.token_hash = @hash`, { hash: sha256(by.token) });
      }
      if (!r) throw notFound('instant_key');
      return this.keyApi(this.db, r, base);
    },
    list: async (filter, base, page) => {
      const where = filter.user_identity_id === undefined ? [] : ['k.user_identity_id = @user_identity_id'];
      const found = await selectPage<InstantKeyRow & { use_count: number }>(
        this.db,
        { table: `(SELECT ${PostgresStore.KEY_COLUMNS} FROM instant_keys k)`, alias: 'k', where, params: { ...filter } },
        page,
      );
      const items = [];
      for (const r of found.items) items.push(await this.keyApi(this.db, r, base));
      return { items, pagination: found.pagination };
    },
    revoke: (now, id) =>
      this.tx(async (db) => {
        // The key's row lock: a first use admitting a device on another instance either
        // committed before (its device is listed below) or sees the revocation after.
        const r = await row<{ user_identity_id: string; revoked_at: number | null }>(db, 'SELECT user_identity_id, revoked_at FROM instant_keys WHERE instant_key_id = @id FOR UPDATE', { id });
        if (!r) throw notFound('instant_key');
        if (r.revoked_at !== null) return;
        await this.revokeHeld(db, now, { instantKeyId: id });
        await rows(db, 'UPDATE instant_keys SET revoked_at = @now WHERE instant_key_id = @id', { id, now });
        await this.event(db, now, 'instant_key.revoked', { instant_key_id: id, user_identity_id: r.user_identity_id });
      }),
  };

  // Customization profiles ------------------------------------------------------------------

  private async profileFields(db: Queryable, id: string): Promise<CustomizationFields | undefined> {
    const found = await row<{ fields: string }>(db, 'SELECT fields FROM customization_profiles WHERE customization_profile_id = @id', { id });
    return found && (JSON.parse(found.fields) as CustomizationFields);
  }

  profiles: Store['profiles'] = {
    create: async (now, name, fields) => {
      const r: ProfileRow = { customization_profile_id: randomUUID(), name: name ?? null, fields: JSON.stringify(fields), created_at: now };
      await rows(this.db, 'INSERT INTO customization_profiles (customization_profile_id, name, fields, created_at) VALUES (@customization_profile_id, @name, @fields, @created_at)', { ...r });
      return profileToApi(r, (await this.workspace()).workspace_id);
    },
    get: async (id) => {
      const r = await row<ProfileRow>(this.db, 'SELECT customization_profile_id, name, fields, created_at FROM customization_profiles WHERE customization_profile_id = @id', { id });
      if (!r) throw notFound('customization_profile');
      return profileToApi(r, (await this.workspace()).workspace_id);
    },
    list: async () => {
      const found = await rows<ProfileRow>(this.db, 'SELECT customization_profile_id, name, fields, created_at FROM customization_profiles ORDER BY created_at, seq');
      const { workspace_id } = await this.workspace();
      return found.map((r) => profileToApi(r, workspace_id));
    },
    update: (id, changes) =>
      this.tx(async (db) => {
        const r = await row<ProfileRow>(db, 'SELECT customization_profile_id, name, fields, created_at FROM customization_profiles WHERE customization_profile_id = @id FOR UPDATE', { id });
        if (!r) throw notFound('customization_profile');
        const fields = { ...(JSON.parse(r.fields) as CustomizationFields), ...changes.fields };
        for (const key of changes.cleared) delete fields[key];
        const next: ProfileRow = { ...r, name: changes.name === undefined ? r.name : changes.name, fields: JSON.stringify(fields) };
        await rows(db, 'UPDATE customization_profiles SET name = @name, fields = @fields WHERE customization_profile_id = @id', { id, name: next.name, fields: next.fields });
        return profileToApi(next, (await this.workspace()).workspace_id);
      }),
  };

  // Events ----------------------------------------------------------------------------------

  events: Store['events'] = {
    list: async (filter, page, offset): Promise<Page<ReturnType<typeof eventToApi>>> => {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      for (const column of ['instant_key_id', 'user_identity_id', 'acs_entrance_id'] as const) {
        if (filter[column] === undefined) continue;
        where.push(`v.${column} = @${column}`);
        params[column] = filter[column];
      }
      for (const [column, values] of [['access_grant_id', filter.access_grant_ids], ['event_id', filter.event_ids], ['event_type', filter.event_types]] as const) {
        if (values === undefined) continue;
        where.push(`v.${column} = ANY(@${column}s)`);
        params[`${column}s`] = values;
      }
      if (filter.since !== undefined) {
        where.push('v.occurred_at >= @since');
        params['since'] = filter.since;
      }
      if (filter.before !== undefined) {
        where.push('v.occurred_at < @before');
        params['before'] = filter.before;
      }
      const { workspace_id } = await this.workspace();
      const found = await selectPage<EventRow>(this.db, { table: 'events', alias: 'v', where, params, order: 'occurred_at', offset }, page);
      return { items: found.items.map((r) => eventToApi(r, workspace_id)), pagination: found.pagination };
    },
  };

  // Lock updates ----------------------------------------------------------------------------

  lockUpdates: Store['lockUpdates'] = {
    latest: async (lockIds) => {
      const found = await rows<{ lock_id: string; lock_update: Buffer }>(this.db, 'SELECT lock_id, lock_update FROM lock_updates WHERE lock_id = ANY(@ids)', { ids: [...new Set(lockIds)] });
      return new Map(found.map((r) => [r.lock_id, r.lock_update]));
    },
  };

  /**
   * lock-updates.ts's revokeHeldCredentials for this store: puts every credential phones may
   * hold within `scope` on its lock's list and seals each changed list as the lock's next
   * update, each lock's entrance row locked so that two instances revoking on one lock at once
   * seal in turn (sequences keep rising, neither list is lost).
   */
  private async revokeHeld(db: Queryable, now: number, scope: { instantKeyId: string } | { accessGrantId: string } | { userIdentityId: string }): Promise<void> {
    const column = 'instantKeyId' in scope ? 'k.instant_key_id' : 'accessGrantId' in scope ? 'g.access_grant_id' : 'k.user_identity_id';
    const id = Object.values(scope)[0] as string;
    const skewMs = 2 * CLOCK_SKEW_S * 1000;
    const held = await rows<{ instant_key_id: string; key_expires_at: number; access_grant_id: string; grant_ends_at: number; acs_entrance_id: string; lock_id: string }>(
      db,
      `SELECT k.instant_key_id, k.expires_at AS key_expires_at, g.access_grant_id, g.ends_at AS grant_ends_at, e.acs_entrance_id, e.lock_id
         FROM instant_keys k
         JOIN access_grants g ON g.user_identity_id = k.user_identity_id
         JOIN access_grant_entrances ge ON ge.access_grant_id = g.access_grant_id
         JOIN acs_entrances e ON e.acs_entrance_id = ge.acs_entrance_id
        WHERE ${column} = @id AND k.revoked_at IS NULL AND k.expires_at > @past AND g.starts_at <= @now AND g.ends_at > @past`,
      { id, now, past: now - skewMs },
    );
    if (held.length === 0) return;
    const ttlMs = this.config.ticketTtlS * 1000;
    const entries = held
      .map((h) => ({
        lock_id: h.lock_id,
        credential_id: credentialIdFor(h.instant_key_id, h.access_grant_id, h.acs_entrance_id),
        until: Math.min(now + ttlMs, h.grant_ends_at, h.key_expires_at) + skewMs,
      }))
      .filter((e) => e.until > now);
    const locks = [...new Set(held.map((h) => h.lock_id))].sort();
    const keys = await rows<{ lock_id: string; lock_key: Buffer }>(db, 'SELECT lock_id, lock_key FROM acs_entrances WHERE lock_id = ANY(@locks) ORDER BY lock_id FOR UPDATE', { locks });
    if (entries.length > 0) {
      await rows(
        db,
        `INSERT INTO lock_revocations AS r (lock_id, credential_id, until)
         SELECT * FROM unnest(@lock_ids::text[], @credential_ids::text[], @untils::bigint[])
         ON CONFLICT (lock_id, credential_id) DO UPDATE SET until = GREATEST(r.until, EXCLUDED.until)`,
        { lock_ids: entries.map((e) => e.lock_id), credential_ids: entries.map((e) => e.credential_id), untils: entries.map((e) => e.until) },
      );
    }
    for (const { lock_id, lock_key } of keys) {
      await rows(db, 'DELETE FROM lock_revocations WHERE lock_id = @lock_id AND until <= @now', { lock_id, now });
      const live = await rows<{ credential_id: string }>(db, 'SELECT credential_id FROM lock_revocations WHERE lock_id = @lock_id ORDER BY until DESC, credential_id LIMIT @max', {
        lock_id,
        max: MAX_UPDATE_ENTRIES,
      });
      const latest = await row<{ sequence: number }>(db, 'SELECT sequence FROM lock_updates WHERE lock_id = @lock_id', { lock_id });
      const sequence = Math.max((latest?.sequence ?? 0) + 1, Math.floor(now / 1000));
      const sealed = sealLockUpdate(lock_key, { lockId: lock_id, sequence, revoked: live.map((l) => l.credential_id) });
      await rows(
        db,
        `INSERT INTO lock_updates (lock_id, sequence, lock_update, sealed_at) VALUES (@lock_id, @sequence, @lock_update, @now)
         ON CONFLICT (lock_id) DO UPDATE SET sequence = EXCLUDED.sequence, lock_update = EXCLUDED.lock_update, sealed_at = EXCLUDED.sealed_at`,
        { lock_id, sequence, lock_update: Buffer.from(sealed), now },
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    await this.pool.end();
  }
}

/** ik_use_key's plan JSON as buildPlan takes it. */
function planData(json: PlanJson): Parameters<typeof buildPlan>[3] {
  const pairs: GrantEntrance[] = [];
  const lockUpdates = new Map<string, Buffer>();
  for (const { access_grant_id, starts_at, ends_at, lock_update, lock_key, ...entrance } of json.pairs) {
    pairs.push({ access_grant_id, starts_at, ends_at, entrance: { ...entrance, lock_key: Buffer.from(lock_key, 'base64') } as EntranceRow });
    if (lock_update !== null) lockUpdates.set(entrance.lock_id, Buffer.from(lock_update, 'base64'));
  }
  return { pairs, fullName: json.full_name, profile: json.profile === null ? undefined : (JSON.parse(json.profile) as CustomizationFields), lockUpdates };
}

