import { randomUUID } from 'node:crypto';
import { statement, type Db } from './db.ts';
import { selectPage, type Page, type PageRequest } from './store/pagination.ts';
import { workspaceIds } from './store/workspace.ts';
import { iso } from './time.ts';

/**
 * Event types this server records. The `access_grant.*` ones are Seam's own, with Seam's
 * fields; Seam has no events for instant keys, so the `instant_key.*` ones are this server's
 * (README, "Seam compatibility").
 */
export const EVENT_TYPES = [
  'instant_key.created',
  'instant_key.used',
  'instant_key.use_denied',
  'instant_key.revoked',
  'access_grant.created',
  'access_grant.access_times_changed',
  'access_grant.access_granted_to_door',
  'access_grant.access_to_door_lost',
  'access_grant.deleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The subjects and details an event may carry. */
export interface EventFields {
  instant_key_id?: string;
  user_identity_id?: string;
  access_grant_id?: string;
  acs_entrance_id?: string;
  /** The device: its key's JWK thumbprint (RFC 7638), for credential uses. */
  device_id?: string;
  /** Browser and OS family of the device ("Chrome on Android"), never the raw User-Agent. */
  device_description?: string;
  reason?: string;
  /** Type-specific fields, such as the new `starts_at`/`ends_at` of `access_times_changed`. */
  details?: Record<string, string | null>;
}

interface EventRow {
  event_id: string;
  event_type: EventType;
  occurred_at: number;
  instant_key_id: string | null;
  user_identity_id: string | null;
  access_grant_id: string | null;
  acs_entrance_id: string | null;
  device_id: string | null;
  device_description: string | null;
  reason: string | null;
  details: string | null;
}

/** An event as the admin API returns it (Seam's `event` fields for Seam's types). */
export type ApiEvent = { event_id: string; event_type: EventType; workspace_id: string; occurred_at: string; created_at: string } & Omit<EventFields, 'details'> & Record<string, unknown>;

const OPTIONAL = ['instant_key_id', 'user_identity_id', 'access_grant_id', 'acs_entrance_id', 'device_id', 'device_description', 'reason'] as const;

/** Appends an event; call inside the transaction of the change it records. */
export function recordEvent(db: Db, now: number, type: EventType, fields: EventFields): void {
  statement(
    db,
    `INSERT INTO events (event_id, event_type, occurred_at, instant_key_id, user_identity_id, access_grant_id, acs_entrance_id, device_id, device_description, reason, details)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    randomUUID(),
    type,
    now,
    fields.instant_key_id ?? null,
    fields.user_identity_id ?? null,
    fields.access_grant_id ?? null,
    fields.acs_entrance_id ?? null,
    fields.device_id ?? null,
    fields.device_description ?? null,
    fields.reason ?? null,
    fields.details ? JSON.stringify(fields.details) : null,
  );
}

/** Filters of `/events/list`; every given one must match. */
export interface EventFilter {
  instant_key_id?: string | undefined;
  user_identity_id?: string | undefined;
  /** Events of any of these grants. */
  access_grant_ids?: string[] | undefined;
  acs_entrance_id?: string | undefined;
  event_ids?: string[] | undefined;
  event_types?: EventType[] | undefined;
  /** Inclusive, epoch milliseconds. */
  since?: number | undefined;
  /** Exclusive, epoch milliseconds. */
  before?: number | undefined;
}

/** One page of events matching every given filter, oldest first. */
export function listEvents(db: Db, filter: EventFilter, page: PageRequest, offset = 0): Page<ApiEvent> {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  for (const column of ['instant_key_id', 'user_identity_id', 'acs_entrance_id'] as const) {
    if (filter[column] === undefined) continue;
    where.push(`v.${column} = @${column}`);
    params[column] = filter[column];
  }
  for (const [column, values] of [['access_grant_id', filter.access_grant_ids], ['event_id', filter.event_ids], ['event_type', filter.event_types]] as const) {
    if (values === undefined) continue;
    where.push(`v.${column} IN (SELECT value FROM json_each(@${column}s))`);
    params[`${column}s`] = JSON.stringify(values);
  }
  if (filter.since !== undefined) {
    where.push('v.occurred_at >= @since');
    params['since'] = filter.since;
  }
  if (filter.before !== undefined) {
    where.push('v.occurred_at < @before');
    params['before'] = filter.before;
  }
  const { workspace_id } = workspaceIds(db);
  const { items, pagination } = selectPage<EventRow>(db, { table: 'events', alias: 'v', where, params, order: 'occurred_at', offset }, page);
  return {
    items: items.map((row) => {
      const event: ApiEvent = {
        event_id: row.event_id,
        event_type: row.event_type,
        workspace_id,
        occurred_at: iso(row.occurred_at),
        created_at: iso(row.occurred_at),
      };
      for (const key of OPTIONAL) if (row[key] !== null) event[key] = row[key];
      if (row.details) {
        for (const [key, value] of Object.entries(JSON.parse(row.details) as Record<string, string | null>)) if (value !== null) event[key] = value;
      }
      return event;
    }),
    pagination,
  };
}
