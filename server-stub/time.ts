/** ISO 8601 (UTC, milliseconds) for a stored epoch-millisecond time; `null` stays `null`. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Days in milliseconds. */
export const DAY_MS = 86_400_000;
