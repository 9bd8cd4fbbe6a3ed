/*
 * Passing the key on (a companion, or the guest's own phone when this browser cannot open
 * doors). What is shared is the Instant Key URL itself, never the host page's URL with its
 * other parameters. The issuer's `max_use_count` still applies to whoever opens it.
 */

/**
 * The Instant Key URL for `token`: `{base}/k#{token}`, as the server issues it (api.md,
 * section 1). The base keeps its path (`https://issuer.example/api` shares
 * `https://issuer.example/api/k#…`); its query and fragment are dropped.
 */
export function instantKeyUrl(token: string, base: string): string {
  const url = new URL(base);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/k#${token}`;
}

/** `sms:` and `mailto:` links carrying `text` and `url`, for browsers without Web Share. */
export function shareLinks(url: string, text: string): { sms: string; email: string } {
  const body = encodeURIComponent(`${text}: ${url}`);
  return { sms: `sms:?&body=${body}`, email: `mailto:?subject=${encodeURIComponent(text)}&body=${body}` };
}

/**
 * Opens the system share sheet when there is one. Resolves true when shared (or dismissed by
 * the guest), false when the page must offer its own links instead.
 */
export async function systemShare(data: { title: string; url: string }, nav: Navigator = navigator): Promise<boolean> {
  if (typeof nav.share !== 'function' || (nav.canShare && !nav.canShare(data))) return false;
  try {
    await nav.share(data);
    return true;
  } catch (error) {
    // AbortError: the guest closed the sheet, which is an answer; anything else: fall back.
    return (error as { name?: unknown } | null)?.name === 'AbortError';
  }
}
