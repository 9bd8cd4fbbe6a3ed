import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CREDENTIALS_PATH } from '../../src/credentials/http-resolver.ts';
import type { Brand } from '../config.ts';
import { textOn, withContrast, mix } from './colors.ts';
import { PAGE_TEXT, type PageLocale } from './locale.ts';

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The hotel's name, once the brand settings carry one (`BRAND_HOTEL_NAME`). */
export function hotelNameOf(brand: Brand): string | null {
  const name = 'hotel_name' in brand ? brand.hotel_name : null;
  return typeof name === 'string' && name.trim() ? name.trim() : null;
}

/** Page colours from the brand: light from the secondary colour, dark from a deep shade of the primary. */
export function pageColors(brand: Brand) {
  const lightBg = brand.secondary_color;
  const darkBg = mix(brand.primary_color, '#000000', 0.82);
  return {
    light: { bg: lightBg, text: textOn(lightBg), stripe: withContrast(brand.primary_color, [lightBg], 3) },
    dark: { bg: darkBg, text: textOn(darkBg), stripe: withContrast(brand.primary_color, [darkBg], 3) },
  };
}

/** `#ik_…` as the element reads it (src/link-token.ts); a `#k=` handle or anything else is left alone. */
export const TOKEN_FRAGMENT_PATTERN = '^#(ik_[A-Za-z0-9_-]{16,256})$';

const PAGE_SCRIPT_JS = readFileSync(new URL('./page-script.js', import.meta.url), 'utf8');

/** The page's inline script and its CSP hash. */
export interface PageScript {
  code: string;
  hash: string;
}

let lastScript: [string | null, PageScript] | undefined;

/**
 * The page's inline script (page-script.js: the early credential request, the service
 * worker), given the built device-proof code (`DEVICE_PROOF_FILE`); without it (`null`) the
 * element makes its own first request.
 */
export function pageScript(deviceProof: string | null): PageScript {
  if (lastScript?.[0] === deviceProof) return lastScript[1];
  const page = JSON.stringify({ credentialsPath: CREDENTIALS_PATH, tokenPattern: TOKEN_FRAGMENT_PATTERN });
  const code = `const PAGE = ${page};\n${deviceProof?.trim() || 'const DEVICE_PROOF = null;'}\n${PAGE_SCRIPT_JS}`;
  const script = { code, hash: `'sha256-${createHash('sha256').update(code).digest('base64')}'` };
  lastScript = [deviceProof, script];
  return script;
}

export interface KeyPageOptions {
  /** The server's public base URL (the element's endpoint). */
  publicBaseUrl: string;
  brand: Brand;
  locale: PageLocale;
  /** Element files to `modulepreload`, entry first, as file names in the base folder. */
  preload: string[];
  /** The inline script (see {@link pageScript}); the page's CSP must name its hash. */
  script: PageScript;
  /** The issuer's iOS app or App Clip, for the element's hand-off on an iPhone (`IOS_APP_URL`). */
  iosApp?: { url: string; name: string | null } | null;
}

/** The element's `ios-app-url` and `ios-app-name`, escaped, or nothing. */
function iosAppAttributes(app: KeyPageOptions['iosApp']): string {
  if (!app) return '';
  return ` ios-app-url="${escapeHtml(app.url)}"${app.name ? ` ios-app-name="${escapeHtml(app.name)}"` : ''}`;
}

/** The key page: the element, branded, in the guest's language, reading its token from the URL fragment. */
export function keyPageHtml({ publicBaseUrl, brand, locale, preload, script, iosApp }: KeyPageOptions): string {
  const base = new URL(publicBaseUrl).pathname.replace(/\/$/, '');
  const text = PAGE_TEXT[locale.language];
  const hotel = hotelNameOf(brand);
  const colors = pageColors(brand);
  const logo = brand.logo_url ? `<img class="logo" src="${escapeHtml(brand.logo_url)}" alt="" width="160" height="48">` : '';
  const preloads = preload.map((file) => `<link rel="modulepreload" href="${escapeHtml(`${base}/${file}`)}">`).join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(locale.tag)}" dir="${locale.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light dark">
<meta name="theme-color" media="(prefers-color-scheme: light)" content="${colors.light.bg}">
<meta name="theme-color" media="(prefers-color-scheme: dark)" content="${colors.dark.bg}">
<title>${escapeHtml(hotel ? `${text.title} · ${hotel}` : text.title)}</title>
<link rel="icon" href="${base}/k-icon.svg" type="image/svg+xml">
<link rel="apple-touch-icon" href="${base}/k-icon-192.png">
<link rel="manifest" href="${base}/k.webmanifest">
${preloads}
<script type="module" src="${escapeHtml(base)}/instant-key.js"></script>
<style>
  :root { color-scheme: light dark; --page-bg: ${colors.light.bg}; --page-text: ${colors.light.text}; --page-stripe: ${colors.light.stripe}; }
  @media (prefers-color-scheme: dark) { :root { --page-bg: ${colors.dark.bg}; --page-text: ${colors.dark.text}; --page-stripe: ${colors.dark.stripe}; } }
  html, body { margin: 0; min-height: 100%; }
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--page-bg); color: var(--page-text);
         border-top: 6px solid var(--page-stripe); display: flex; justify-content: center;
         padding: env(safe-area-inset-top) 16px env(safe-area-inset-bottom); }
  main { width: 100%; max-width: 480px; padding-block: 20px 24px; }
  .logo { display: block; width: auto; max-height: 48px; max-width: 60%; margin: 0 auto 12px; object-fit: contain; }
  h1 { font-size: 1.25rem; line-height: 1.3; margin: 0 0 16px; text-align: center; font-weight: 600; }
  /* Room for the loading card, so nothing moves when the element renders. */
  instant-key { display: block; min-height: 240px; }
</style>
</head>
<body>
<main>
${logo}
<h1>${escapeHtml(hotel ?? text.title)}</h1>
<instant-key endpoint="${escapeHtml(publicBaseUrl)}" remember${iosAppAttributes(iosApp)}></instant-key>
<script>${script.code}</script>
<noscript>${escapeHtml(text.noscript)}</noscript>
</main>
</body>
</html>
`;
}
