import type { Credential, CredentialsResponse } from '../credentials/types.ts';

/*
 * What a key shown without a fresh answer can still do (issue 14). A ticket opens its lock
 * until `ticket_expires_at`, with or without signal; past it the lock answers `EXPIRED`, so
 * such a door is shown dimmed and never offered. The guest is told until when the key works,
 * warned shortly before, and asked to connect once nothing is left.
 */

/** The warning comes this long before the first offered ticket runs out. */
export const EXPIRY_WARNING_MS = 15 * 60_000;

export type TicketPhase =
  /** Every offered ticket has more than `EXPIRY_WARNING_MS` left. */
  | 'valid'
  /** The first offered ticket runs out within `EXPIRY_WARNING_MS`. */
  | 'ending'
  /** No ticket has time left: only a connection renews the key. */
  | 'renew';

export interface TicketWindow {
  phase: TicketPhase;
  /** The doors whose tickets still have time left, in the response's order. */
  usable: Credential[];
  /** When the first usable ticket runs out (epoch ms); absent in `renew`. */
  until?: number;
  /** The next moment this answer changes (epoch ms), for a timer; absent when nothing will. */
  nextChange?: number;
}

/** A ticket is offered while both it and its access window have time left. */
export function hasTimeLeft(credential: Credential, now: number): boolean {
  return Date.parse(credential.ticket_expires_at) > now && Date.parse(credential.ends_at) > now;
}

export function ticketWindow(data: CredentialsResponse, now: number): TicketWindow {
  const usable = data.credentials.filter((c) => hasTimeLeft(c, now));
  if (!usable.length) return { phase: 'renew', usable };
  const until = Math.min(...usable.map((c) => Math.min(Date.parse(c.ticket_expires_at), Date.parse(c.ends_at))));
  const warnAt = until - EXPIRY_WARNING_MS;
  return { phase: now >= warnAt ? 'ending' : 'valid', usable, until, nextChange: now >= warnAt ? until : warnAt };
}
