import { randomUUID } from 'node:crypto';
import { statement, type Db } from './db.ts';
import { iso } from './time.ts';

/** Event types of api.md section 4. */
export type EventType =
  | 'instant_key.created'
  | 'instant_key.used'
  | 'instant_key.use_denied'
  | 'instant_key.revoked'
  | 'access_grant.created'
  | 'access_grant.updated'
  | 'access_grant.deleted';

/** The subjects and details an event may carry. */
export interface EventFields {
  instant_key_id?: string;
  user_identity_id?: string;
  access_grant_id?: string;
  /** The device: its key's JWK thumbprint (RFC 7638), for credential uses. */
  device_id?: string;
  /** Browser and OS family of the device ("Chrome on Android"), never the raw User-Agent. */
  device_description?: string;
  reason?: string;
}

interface EventRow extends Required<{ [K in keyof EventFields]: string | null }> {
  event_id: string;
  event_type: EventType;
  occurred_at: number;
}

/** An event as the admin API returns it. */
export type ApiEvent = { event_id: string; event_type: EventType; occurred_at: string; created_at: string } & EventFields;

const OPTIONAL = ['instant_key_id', 'user_identity_id', 'access_grant_id', 'device_id', 'device_description', 'reason'] as const;

/** Appends an event; call inside the transaction of the change it records. */
export function recordEvent(db: Db, now: number, type: EventType, fields: EventFields): void {
  statement(
    db,
    `INSERT INTO events (event_id, event_type, occurred_at, instant_key_id, user_identity_id, access_grant_id, device_id, device_description, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    randomUUID(),
    type,
    now,
    fields.instant_key_id ?? null,
    fields.user_identity_id ?? null,
    fields.access_grant_id ?? null,
    fields.device_id ?? null,
    fields.device_description ?? null,
    fields.reason ?? null,
  );
}

/** Filters of `/events/list`. */
export interface EventFilter {
  instant_key_id?: string | undefined;
  user_identity_id?: string | undefined;
  /** Inclusive, epoch milliseconds. */
  since?: number | undefined;
  limit: number;
}

/** Events matching every given filter, oldest first. */
export function listEvents(db: Db, filter: EventFilter): ApiEvent[] {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: filter.limit };
  for (const column of ['instant_key_id', 'user_identity_id'] as const) {
    if (filter[column] === undefined) continue;
    where.push(`${column} = @${column}`);
    params[column] = filter[column];
  }
  if (filter.since !== undefined) {
    where.push('occurred_at >= @since');
    params['since'] = filter.since;
  }
  const rows = db
    .prepare(`SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY occurred_at, seq LIMIT @limit`)
    .all(params) as EventRow[];
  return rows.map((row) => {
    const event: ApiEvent = {
      event_id: row.event_id,
      event_type: row.event_type,
      occurred_at: iso(row.occurred_at),
      created_at: iso(row.occurred_at),
    };
    for (const key of OPTIONAL) if (row[key] !== null) event[key] = row[key];
    return event;
  });
}
