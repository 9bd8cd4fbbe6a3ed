/*
 * Where a guest whose browser cannot open doors can go instead (the `unsupported` state's
 * way onward). Pure, over an injectable environment, so the rules are unit-tested in Node.
 *
 * The token must stay out of every server's logs, so it only ever travels in a URL fragment:
 * - Android: a Chrome intent URL. Android's `Intent.parseUri` takes everything before the
 *   *last* `#` as the data URI, so `intent://host/k#ik_…#Intent;scheme=https;…;end` hands
 *   Chrome `https://host/k#ik_…`, fragment included. No `S.browser_fallback_url` (a WebView
 *   without Chrome would load it itself), and in-app browsers that refuse `intent:` links
 *   leave the guest with the explanation and "Copy link" beside the button.
 * - iOS: the issuer's app or App Clip link, with the whole Instant Key URL percent-encoded
 *   in its fragment.
 */

export type HandoffPlatform = 'android' | 'ios' | 'desktop';

/** The platform from the user agent; iPadOS presents itself as a Mac with a touch screen. */
export function handoffPlatform(userAgent: string, maxTouchPoints = 0): HandoffPlatform {
  if (/Android/i.test(userAgent)) return 'android';
  if (/iPhone|iPad|iPod/.test(userAgent) || (/Macintosh/.test(userAgent) && maxTouchPoints > 1)) return 'ios';
  return 'desktop';
}

/**
 * The intent URL that opens `keyUrl` (an https Instant Key URL) in Chrome for Android, or
 * `undefined` when `keyUrl` is not https.
 */
export function chromeIntentUrl(keyUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(keyUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  return `intent://${url.host}${url.pathname}${url.search}${url.hash}#Intent;scheme=https;package=com.android.chrome;end`;
}

/**
 * The issuer's iOS app or App Clip link (`appUrl`, https only) carrying `keyUrl` in its
 * fragment: `https://app.example/open#https%3A%2F%2Fkeys.example%2Fk%23ik_…`. The app reads
 * its invocation URL's fragment, percent-decoded, as the Instant Key URL. `undefined` when
 * `appUrl` is not an https URL.
 */
export function iosAppLink(appUrl: string | null | undefined, keyUrl: string): string | undefined {
  if (!appUrl) return undefined;
  let url: URL;
  try {
    url = new URL(appUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  url.hash = encodeURIComponent(keyUrl);
  return url.href;
}
