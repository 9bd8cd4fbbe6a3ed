/*
 * A key kept on the device (`remember`) shows its local handle in the address bar (`#k=…`)
 * where the link token was: a reload, a restored tab or a bookmark finds the key again, and
 * the handle opens nothing anywhere else (it names a record in this browser's vault).
 */
import { FRAGMENT_RE, replaceFragment, type HistoryLike, type LocationLike } from '../link-token.ts';

/** `#k=` + a vault handle (22 base64url characters, see vault.ts). */
const HANDLE_FRAGMENT_RE = /^#k=([A-Za-z0-9_-]{22})$/;

/** The saved key's handle in the fragment (`#k=…`), if that is what the address holds. */
export function fragmentHandle(loc: Pick<LocationLike, 'hash'> = globalThis.location): string | undefined {
  return HANDLE_FRAGMENT_RE.exec(loc.hash)?.[1];
}

/**
 * Puts `#k={handle}` in the address bar, unless the fragment meanwhile holds something else
 * than this key (the host page moved on).
 */
export function showHandle(handle: string, loc: LocationLike = globalThis.location, hist: HistoryLike = globalThis.history): void {
  const current = loc.hash;
  if (current === '' || current === '#' || FRAGMENT_RE.test(current) || HANDLE_FRAGMENT_RE.test(current)) {
    replaceFragment(`#k=${handle}`, loc, hist);
  }
}

/** Removes `#k={handle}` from the address bar (the key was removed from this phone). */
export function hideHandle(handle: string, loc: LocationLike = globalThis.location, hist: HistoryLike = globalThis.history): void {
  if (fragmentHandle(loc) === handle) replaceFragment('', loc, hist);
}

