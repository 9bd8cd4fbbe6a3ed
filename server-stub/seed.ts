import type { FastifyInstance } from 'fastify';
import type { EntranceKind } from './store/entrances.ts';
import { DAY_MS } from './time.ts';

/** Where to seed: a built or running server and its admin key (a `RunningServer` fits). */
export interface SeedTarget {
  app: FastifyInstance;
  apiKey: string;
}

/** Options of {@link seedDemoHotel}. */
export interface SeedOptions {
  /** Fixed lock keys (32 bytes as base64url) by entrance, e.g. to match emulated locks. */
  lockKeys?: { room?: string; elevator?: string; pool?: string };
  /** Fixed BLE names by entrance; generated (`IK-XXXXXX`) when absent. */
  bleNames?: { room?: string; elevator?: string; pool?: string };
  /** Stay length from now; the grant started an hour ago so it is active at once. Default 3 days. */
  stayDays?: number;
  /** Devices the link may be opened on; default unlimited. */
  maxUseCount?: number;
  /** "Now" in epoch ms, for a server with an injected clock. Default `Date.now()`. */
  now?: number;
}

/** A seeded entrance with everything needed to emulate its lock. */
export interface SeededEntrance {
  acs_entrance_id: string;
  display_name: string;
  kind: EntranceKind;
  lock: { lock_id: string; ble_name: string; lock_key: string };
}

/** What {@link seedDemoHotel} made. */
export interface DemoHotel {
  user_identity_id: string;
  access_grant_id: string;
  instant_key_id: string;
  /** `{PUBLIC_BASE_URL}/k#{token}`. */
  instant_key_url: string;
  /** The `ik_…` token alone. */
  token: string;
  /** Room 412, Elevator bank A, Pool, in that order. */
  entrances: SeededEntrance[];
  /** The same entrances by role. */
  room: SeededEntrance;
  elevator: SeededEntrance;
  pool: SeededEntrance;
}

const ENTRANCES = [
  { role: 'room', display_name: 'Room 412', kind: 'guest_room', details: { floor: '4', room_type: 'Deluxe king' } },
  { role: 'elevator', display_name: 'Elevator bank A', kind: 'elevator', details: { location: 'Lobby, north side' } },
  { role: 'pool', display_name: 'Pool', kind: 'amenity', details: { hours: '07:00-22:00', location: 'Level 2, east wing' } },
] as const;

/** The demo guest's `user_identity_key`. */
const DEMO_GUEST_KEY = 'demo-guest-ada-lovelace';

/** What the demo guest is told about her hotel and stay (the credential contract's extras). */
const HOTEL = { hotel_name: 'Hotel Aurora', support_phone: '+15555550100', support_email: 'frontdesk@hotel-aurora.example' };

/**
 * Seeds the demo hotel through the admin API itself (in-process `inject`, so the same auth,
 * validation and transactions as any client): guest Ada Lovelace with an active grant on
 * Room 412, Elevator bank A and the Pool (with floor, hours and locations), and an instant
 * key carrying Hotel Aurora's name, front desk contact and her stay. Returns the key's URL
 * and each lock's id, BLE name and key.
 */
export async function seedDemoHotel(target: SeedTarget, options: SeedOptions = {}): Promise<DemoHotel> {
  const call = async <T>(url: string, body: unknown, key: string): Promise<T> => {
    const res = await target.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    const json = res.json() as Record<string, unknown>;
    if (res.statusCode !== 200) throw new Error(`seed: ${url} answered ${res.statusCode}: ${JSON.stringify(json['error'])}`);
    return json[key] as T;
  };
  const now = options.now ?? Date.now();

  // Emails are unique: on a store seeded before (a kept DATA_DIR), Ada is found again by her key.
  const existing = await target.app.inject({
    method: 'POST',
    url: '/user_identities/get',
    headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ user_identity_key: DEMO_GUEST_KEY }),
  });
  const identity =
    existing.statusCode === 200
      ? (existing.json() as { user_identity: { user_identity_id: string } }).user_identity
      : await call<{ user_identity_id: string }>(
          '/user_identities/create',
          { full_name: 'Ada Lovelace', email_address: 'ada@example.com', user_identity_key: DEMO_GUEST_KEY },
          'user_identity',
        );
  const seeded = {} as Record<(typeof ENTRANCES)[number]['role'], SeededEntrance>;
  for (const e of ENTRANCES) {
    const lock: Record<string, string> = {};
    const lockKey = options.lockKeys?.[e.role];
    if (lockKey) lock['lock_key'] = lockKey;
    const bleName = options.bleNames?.[e.role];
    if (bleName) lock['ble_name'] = bleName;
    seeded[e.role] = await call<SeededEntrance>('/acs/entrances/create', { display_name: e.display_name, kind: e.kind, ...e.details, lock }, 'acs_entrance');
  }
  const entrances = ENTRANCES.map((e) => seeded[e.role]);
  const endsAt = now + (options.stayDays ?? 3) * DAY_MS;
  const startsAt = new Date(now - 3_600_000).toISOString();
  const grant = await call<{ access_grant_id: string }>(
    '/access_grants/create',
    {
      user_identity_id: identity.user_identity_id,
      acs_entrance_ids: entrances.map((e) => e.acs_entrance_id),
      name: 'Stay of Ada Lovelace',
      starts_at: startsAt,
      ends_at: new Date(endsAt).toISOString(),
      requested_access_methods: [{ mode: 'mobile_key' }],
    },
    'access_grant',
  );
  const key = await call<{ instant_key_id: string; instant_key_url: string }>(
    '/user_identities/generate_instant_key',
    {
      user_identity_id: identity.user_identity_id,
      expires_at: new Date(endsAt).toISOString(),
      check_in_at: startsAt,
      check_out_at: new Date(endsAt).toISOString(),
      customization: HOTEL,
      ...(options.maxUseCount === undefined ? {} : { max_use_count: options.maxUseCount }),
    },
    'instant_key',
  );
  return {
    user_identity_id: identity.user_identity_id,
    access_grant_id: grant.access_grant_id,
    instant_key_id: key.instant_key_id,
    instant_key_url: key.instant_key_url,
    token: key.instant_key_url.slice(key.instant_key_url.indexOf('#') + 1),
    entrances,
    ...seeded,
  };
}
