import type { ServerConfig } from '../config.ts';
import { planCredentials } from '../credentials.ts';
import { openDatabase, type Db } from '../db.ts';
import { listEvents } from '../events.ts';
import { KeyCache } from '../key-cache.ts';
import { useTicketTtl } from '../lock-updates.ts';
import { PlanCache } from '../plan-cache.ts';
import { WriteBatch } from '../write-batch.ts';
import { createProfile, getProfile, listProfiles, updateProfile } from './customization-profiles.ts';
import { createEntrance, getEntrance, listEntrances } from './entrances.ts';
import { createGrant, deleteGrant, getGrant, listGrants, updateGrant } from './grants.ts';
import { createIdentity, deleteIdentity, getIdentity, listIdentities } from './identities.ts';
import { generateInstantKey, getInstantKey, listInstantKeys, revokeInstantKey, useInstantKey } from './instant-keys.ts';
import { latestLockUpdates } from './lock-revocations.ts';
import type { Store } from './store.ts';
import { workspaceIds } from './workspace.ts';

/**
 * The embedded store: SQLite in `DATA_DIR`, one process (db.ts holds DATA_DIR's lock). Its
 * in-process caches (key rows, admitted devices, credential plans) are valid because this
 * process is the store's only writer: every admin write here clears them. The credential
 * path's writes go through a group commit (WriteBatch): an admission commits with a disk
 * flush before the answer; a repeat use is in the WAL before the answer and on disk within a
 * second.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** The DPoP verifier's in-process memory is the store's: one process serves it. */
  readonly remembersProofs = false;
  readonly db: Db;
  readonly writes: WriteBatch;
  private readonly plans = new PlanCache();
  private readonly keys = new KeyCache();

  constructor(
    private readonly config: ServerConfig,
    options: { onSyncError?: (error: unknown) => void } = {},
  ) {
    this.db = openDatabase(config.dataDir);
    useTicketTtl(this.db, config.ticketTtlS);
    this.writes = new WriteBatch(this.db, options.onSyncError ? { onSyncError: options.onSyncError } : {});
  }

  /** Runs an admin write; whatever it committed may change what a link shows, or revoke it. */
  private write<T>(op: () => T): Promise<T> {
    try {
      return Promise.resolve(op());
    } catch (error) {
      return Promise.reject(error);
    } finally {
      this.plans.clear();
      this.keys.clearKeys();
    }
  }

  private read<T>(op: () => T): Promise<T> {
    try {
      return Promise.resolve(op());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  useKey: Store['useKey'] = async ({ tokenKey, device, now }) => {
    const { db, keys, config } = this;
    // A first admission changes who may use the key: its commit must also reach the disk.
    const durable = keys.mayAdmit(tokenKey, device.device_id);
    const use = await this.writes.run(() => useInstantKey(db, now, tokenKey, device, keys), { durable });
    if (use.outcome !== 'admitted') return use;
    keys.rememberAdmitted(use.key.instant_key_id, device.device_id);
    let plan = this.plans.get(use.key.instant_key_id, now);
    if (!plan) this.plans.set(use.key.instant_key_id, now, (plan = planCredentials(db, config, use.key, now)));
    return { outcome: 'admitted', key: use.key, plan };
  };

  workspace: Store['workspace'] = () => this.read(() => workspaceIds(this.db));

  identities: Store['identities'] = {
    create: (now, input) => this.write(() => createIdentity(this.db, now, input)),
    get: (by) => this.read(() => getIdentity(this.db, by)),
    list: (filter, page) => this.read(() => listIdentities(this.db, filter, page)),
    delete: (now, id) => this.write(() => deleteIdentity(this.db, now, id)),
  };

  entrances: Store['entrances'] = {
    create: (now, input) => this.write(() => createEntrance(this.db, now, input)),
    get: (id) => this.read(() => getEntrance(this.db, id)),
    list: (filter, page) => this.read(() => listEntrances(this.db, filter, page)),
  };

  grants: Store['grants'] = {
    create: (now, input, key, base) =>
      this.write(() =>
        this.db
          .transaction(() => {
            const grant = createGrant(this.db, now, input);
            // As on Seam, a mobile key with a use count issues the guest's link with the grant.
            if (key) {
              const issued = generateInstantKey(
                this.db,
                now,
                { user_identity_id: grant.user_identity_id, ...key, customization: {} },
                this.config.brand,
                base,
              );
              grant.instant_key_url = issued.instant_key_url;
            }
            return grant;
          })
          .immediate(),
      ),
    update: (now, ref, changes) => this.write(() => updateGrant(this.db, now, ref, changes)),
    get: (ref) => this.read(() => getGrant(this.db, ref)),
    list: (filter, page) => this.read(() => listGrants(this.db, filter, page)),
    delete: (now, ref) => this.write(() => deleteGrant(this.db, now, ref)),
  };

  instantKeys: Store['instantKeys'] = {
    generate: (now, input, base) => this.write(() => generateInstantKey(this.db, now, input, this.config.brand, base)),
    get: (by, base) => this.read(() => getInstantKey(this.db, by, this.config.brand, base)),
    list: (filter, base, page) => this.read(() => listInstantKeys(this.db, filter, this.config.brand, base, page)),
    revoke: (now, id) => this.write(() => revokeInstantKey(this.db, now, id)),
  };

  profiles: Store['profiles'] = {
    create: (now, name, fields) => this.write(() => createProfile(this.db, now, name, fields)),
    get: (id) => this.read(() => getProfile(this.db, id)),
    list: () => this.read(() => listProfiles(this.db)),
    update: (id, changes) => this.write(() => updateProfile(this.db, id, changes)),
  };

  events: Store['events'] = {
    list: (filter, page, offset) => this.read(() => listEvents(this.db, filter, page, offset)),
  };

  lockUpdates: Store['lockUpdates'] = {
    latest: (lockIds) => this.read(() => latestLockUpdates(this.db, lockIds)),
  };

  async close(): Promise<void> {
    try {
      this.writes.close();
    } finally {
      this.db.close();
    }
  }
}
