/*
 * The link carries its token in the URL fragment (api.md, section 1): never sent to a server,
 * never in a Referer. Once read, it is removed from the address bar so that it does not end
 * up in a screenshot, a shared URL or synced history. A key kept on the device (`remember`)
 * puts its local handle there instead (src/vault/address-bar.ts).
 */

/** `ik_` + unpadded base64url; the length is left loose for other issuers. */
export const FRAGMENT_RE = /^#(ik_[A-Za-z0-9_-]{16,256})$/;

let claimed: string | undefined;

export interface LocationLike {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
}

export interface HistoryLike {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}

export function replaceFragment(fragment: string, loc: LocationLike, hist: HistoryLike): void {
  try {
    hist.replaceState(hist.state, '', loc.pathname + loc.search + fragment);
  } catch {
    // Sandboxed documents may refuse; the key still works.
  }
}

/**
 * Takes the token from the fragment and strips it (keeping path and query). Remembered for
 * the page's lifetime, so a second element on the page gets it too.
 */
export function claimFragmentToken(
  loc: LocationLike = globalThis.location,
  hist: HistoryLike = globalThis.history,
): string | undefined {
  const match = FRAGMENT_RE.exec(loc.hash);
  if (match) {
    claimed = match[1];
    replaceFragment('', loc, hist);
  }
  return claimed;
}

/**
 * The token in the fragment without removing it: an unsupported page leaves the link in the
 * address bar, and "Share key" still passes on the key alone.
 */
export function peekFragmentToken(loc: Pick<LocationLike, 'hash'> = globalThis.location): string | undefined {
  return claimed ?? FRAGMENT_RE.exec(loc.hash)?.[1];
}

/** Forgets the remembered token; for tests. */
export function forgetFragmentTokenForTests(): void {
  claimed = undefined;
}
