/**
 * The credential endpoint's answer (api.md, section 2), as the element receives it once
 * validated. Field names stay snake_case: this is the wire contract, not a view model.
 */

/** Entrance kinds the endpoint may send; anything else is refused by validation. */
export const ENTRANCE_KINDS = ['guest_room', 'elevator', 'amenity', 'common_area'] as const;
export type EntranceKind = (typeof ENTRANCE_KINDS)[number];

export interface Entrance {
  acs_entrance_id: string;
  display_name: string;
  kind: EntranceKind;
  /** Short text, such as "4". */
  floor?: string;
  /** Short text, such as "Deluxe king". */
  room_type?: string;
  /** Daily opening hours in the property's time zone, `HH:MM-HH:MM` (`22:00-02:00` runs overnight). */
  hours?: string;
  /** Short text, such as "Level 2, east wing". */
  location?: string;
}

export interface LockRef {
  lock_id: string;
  /** The advertised local name, used as the `requestDevice` filter. */
  ble_name: string;
}

/** One active (grant, entrance) pair with a fresh ticket. */
export interface Credential {
  credential_id: string;
  entrance: Entrance;
  lock: LockRef;
  starts_at: string;
  ends_at: string;
  /** Unpadded base64url of the 114-byte ticket (docs/protocol.md). */
  ticket: string;
  /** Unpadded base64url of the 32-byte credential key. */
  credential_key: string;
  ticket_expires_at: string;
  /**
   * Unpadded base64url of the lock's latest lock update (its revocation list, sealed for the
   * lock), carried to the lock when it holds an older one. Absent while the lock has none.
   */
  lock_update?: string;
}

/** A grant that has not started yet: no ticket, so the guest only sees when it begins. */
export interface UpcomingAccess {
  entrance: Entrance;
  starts_at: string;
  ends_at: string;
}

export interface Customization {
  /** `#rrggbb`. */
  primary_color?: string;
  /** `#rrggbb`. */
  secondary_color?: string;
  /** https URL. */
  logo_url?: string;
  hotel_name?: string;
  /** E.164, such as `+15555550100`: for a `tel:` link. */
  support_phone?: string;
  /** For a `mailto:` link. */
  support_email?: string;
  /** `#rrggbb`. */
  accent_color?: string;
}

export interface InstantKeySummary {
  instant_key_id: string;
  expires_at: string;
  /** Absent (or null) when the guest has no name on file: the greeting then has none. */
  user_identity: { display_name?: string };
  customization: Customization;
  /** The stay as booked (ISO 8601), when the issuer gave it. */
  check_in_at?: string;
  check_out_at?: string;
  /** The property's IANA time zone (`Europe/Lisbon`): stay times and `hours` are shown in it. */
  time_zone?: string;
}

export interface CredentialsResponse {
  ok: true;
  instant_key: InstantKeySummary;
  credentials: Credential[];
  upcoming: UpcomingAccess[];
  refresh_after_s: number;
}

/**
 * Replaces the HTTP call for hosts with their own backend. Must honour `signal`, and should
 * reject with a `CredentialsError` so the element can tell the guest what happened.
 * `revalidate` says the caller's tickets are still fresh: a resolver may then answer with its
 * previous response when nothing changed (the HTTP resolver sends `If-None-Match`).
 */
export type CredentialsResolver = (
  token: string,
  options: { signal: AbortSignal; revalidate?: boolean },
) => Promise<CredentialsResponse>;
