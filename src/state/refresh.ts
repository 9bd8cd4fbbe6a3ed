import type { CredentialsResponse } from '../credentials/types.ts';

/** Never refresh more often than this, whatever the dates say. */
export const MIN_REFRESH_MS = 5_000;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Milliseconds from `now` to the next background refresh (api.md, section 2): after `refresh_after_s`, at
 * half the shortest ticket life (fresh tickets before any expires), when an upcoming grant
 * starts, and when an active one ends, whichever comes first.
 */
export function refreshDelayMs(data: CredentialsResponse, loadedAt: number, now: number): number {
  const due = [loadedAt + data.refresh_after_s * 1000, ticketsHalfLife(data, loadedAt)];
  for (const u of data.upcoming) due.push(Date.parse(u.starts_at));
  for (const c of data.credentials) due.push(Date.parse(c.ends_at));
  const next = Math.min(...due.filter((t) => t > now));
  const delayMs = Number.isFinite(next) ? next - now : data.refresh_after_s * 1000;
  return Math.min(MAX_TIMER_MS, Math.max(MIN_REFRESH_MS, delayMs));
}

/**
 * The moment the shortest-lived ticket is half spent. Before it, a refresh may revalidate
 * (ETag, 304 keeps the tickets); after it, the client asks for fresh tickets.
 */
export function ticketsHalfLife(data: CredentialsResponse, loadedAt: number): number {
  let end = Infinity;
  for (const c of data.credentials) end = Math.min(end, Date.parse(c.ticket_expires_at));
  return end === Infinity ? Infinity : loadedAt + (end - loadedAt) / 2;
}
