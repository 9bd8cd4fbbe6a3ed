import type { CredentialPlan } from '../credentials.ts';
import type { ApiEvent, EventFilter } from '../events.ts';
import type { ApiCustomizationProfile, CustomizationFields } from './customization-profiles.ts';
import type { ApiEntrance, EntranceFilter, NewEntrance } from './entrances.ts';
import type { ApiAccessGrant, GrantChanges, GrantFilter, GrantRef, NewGrant } from './grants.ts';
import type { ApiUserIdentity, IdentityFilter, NewIdentity } from './identities.ts';
import type { ApiInstantKey, InstantKeyRow, KeyRefusal, NewInstantKey } from './instant-keys.ts';
import type { Page, PageRequest } from './pagination.ts';
import type { WorkspaceIds } from './workspace.ts';

/*
 * The one store interface every route uses. Two implementations: SQLite, embedded, the
 * default (store/sqlite.ts), and PostgreSQL, chosen by DATABASE_URL (store/postgres/store.ts).
 * Every method is async; every decision that must hold across server instances (revocation,
 * grants, admissions, replayed proofs) is taken by the database in the call that needs it.
 */

/** One credential request, after its DPoP proof was verified. */
export interface KeyUseRequest {
  /** SHA-256 of the link token, base64. */
  tokenKey: string;
  /** The proven device: its key's JWK thumbprint, and its browser/OS family. */
  device: { device_id: string; device_description: string | undefined };
  /** The proof's `jti` and when it stops being acceptable (epoch ms), for stores that remember proofs. */
  proof: { jti: string; until: number };
  now: number;
}

/** What a credential request came to; `admitted` carries what the answer is made of. */
export type KeyUseAnswer =
  | { outcome: 'invalid' }
  | { outcome: 'replayed' }
  | { outcome: KeyRefusal; key: InstantKeyRow }
  | { outcome: 'admitted'; key: InstantKeyRow; plan: CredentialPlan };

/** `/access_grants/create`'s mobile key, issued in the grant's transaction. */
export interface GrantKey {
  expires_at: number;
  max_use_count: number;
  customization_profile_id?: string | undefined;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Whether the store itself refuses a replayed DPoP proof (a `replayed` outcome): with several
   * instances the memory of used proofs must be shared, so it lives in the database.
   */
  readonly remembersProofs: boolean;

  /**
   * The credential path: finds the key, decides revoked / expired / the device limit, admits
   * the device, records `instant_key.used` or `.use_denied`, and returns the key's plan. An
   * admission is durable before this resolves.
   */
  useKey(request: KeyUseRequest): Promise<KeyUseAnswer>;

  workspace(): Promise<WorkspaceIds>;

  identities: {
    create(now: number, input: NewIdentity): Promise<ApiUserIdentity>;
    get(by: { user_identity_id: string } | { user_identity_key: string }): Promise<ApiUserIdentity>;
    list(filter: IdentityFilter, page: PageRequest): Promise<Page<ApiUserIdentity>>;
    /** Deletes the identity and its grants, revokes its keys; all or nothing. */
    delete(now: number, id: string): Promise<void>;
  };
  entrances: {
    create(now: number, input: NewEntrance): Promise<ApiEntrance>;
    get(id: string): Promise<ApiEntrance>;
    list(filter: EntranceFilter, page: PageRequest): Promise<Page<ApiEntrance>>;
  };
  grants: {
    /** Creates the grant (and its inline identity, and its key when asked), all or nothing. */
    create(now: number, input: NewGrant, key: GrantKey | undefined, publicBaseUrl: string): Promise<ApiAccessGrant>;
    update(now: number, ref: GrantRef, changes: GrantChanges): Promise<ApiAccessGrant>;
    get(ref: GrantRef): Promise<ApiAccessGrant>;
    list(filter: GrantFilter, page: PageRequest): Promise<Page<ApiAccessGrant>>;
    delete(now: number, ref: GrantRef): Promise<void>;
  };
  instantKeys: {
    generate(now: number, input: NewInstantKey, publicBaseUrl: string): Promise<ApiInstantKey>;
    get(by: { instant_key_id: string } | { token: string }, publicBaseUrl: string): Promise<ApiInstantKey>;
    list(filter: { user_identity_id?: string | undefined }, publicBaseUrl: string, page: PageRequest): Promise<Page<ApiInstantKey>>;
    /** Revokes at once; revoking again changes nothing. */
    revoke(now: number, id: string): Promise<void>;
  };
  profiles: {
    create(now: number, name: string | undefined, fields: CustomizationFields): Promise<ApiCustomizationProfile>;
    get(id: string): Promise<ApiCustomizationProfile>;
    list(): Promise<ApiCustomizationProfile[]>;
    update(id: string, changes: { name?: string | null; fields: CustomizationFields; cleared: (keyof CustomizationFields)[] }): Promise<ApiCustomizationProfile>;
  };
  events: {
    list(filter: EventFilter, page: PageRequest, offset: number): Promise<Page<ApiEvent>>;
  };
  lockUpdates: {
    /** Each lock's latest sealed update, for the locks asked about that have one. */
    latest(lockIds: readonly string[]): Promise<Map<string, Buffer>>;
  };

  /** Commits what is pending and lets go of the database. */
  close(): Promise<void>;
}
