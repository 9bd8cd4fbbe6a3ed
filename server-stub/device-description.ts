/*
 * What usage events keep of a User-Agent: the browser and OS family ("Chrome on Android"),
 * enough for an issuer to tell a guest's phone from a forwarded link's laptop, and no more
 * (the raw header is a fingerprint, and a client-chosen string of any size).
 */

/** First match wins: several browsers also claim to be Chrome or Safari. */
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(Chrome|HeadlessChrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/\bAndroid\b/, 'Android'],
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** `"{browser} on {OS}"`, each `Other` when unknown; undefined without a User-Agent. */
export function describeDevice(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  // Both families appear early in any real User-Agent; the cap bounds regex work on junk.
  const ua = userAgent.slice(0, 512);
  const family = (table: [RegExp, string][]) => table.find(([re]) => re.test(ua))?.[1] ?? 'Other';
  return `${family(BROWSERS)} on ${family(SYSTEMS)}`;
}
