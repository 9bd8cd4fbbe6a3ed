import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Brand } from '../config.ts';
import { hotelNameOf, pageColors } from './html.ts';
import { ICON_SIZES } from './icons.ts';
import { PAGE_TEXT, type PageLocale } from './locale.ts';

const WORKER_SOURCE = readFileSync(new URL('./service-worker.js', import.meta.url), 'utf8');

/**
 * The web-app manifest of the key page: one app per issuer (its `id` is the page's path), so
 * it names the hotel and never a guest. It carries no token and no handle: Android may send
 * the manifest to a server to build the installed app.
 */
export function webAppManifest(base: string, brand: Brand, locale: PageLocale): object {
  const text = PAGE_TEXT[locale.language];
  const name = hotelNameOf(brand) ?? text.title;
  const colors = pageColors(brand);
  return {
    id: `${base}/k`,
    name,
    short_name: name.length <= 12 ? name : text.title,
    lang: locale.tag,
    dir: locale.dir,
    start_url: `${base}/k`,
    scope: `${base}/k`,
    display: 'standalone',
    background_color: colors.light.bg,
    theme_color: colors.light.bg,
    icons: [
      { src: `${base}/k-icon.svg`, sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      ...ICON_SIZES.map((size) => ({ src: `${base}/k-icon-${size}.png`, sizes: `${size}x${size}`, type: 'image/png', purpose: 'any maskable' })),
    ],
  };
}

export interface WorkerBuild {
  /** The page's path (`/k`, or under the public base URL's path). */
  page: string;
  /** Paths of the element's files to keep for offline use. */
  files: string[];
  /** What the page is made of beyond the files' names: the entry's hash, the brand, the page's code. */
  fingerprint: string;
}

/**
 * The service worker's script for one build. Its bytes change whenever the build, the brand
 * or the page does, which is how browsers notice a new version.
 */
export function serviceWorkerScript(build: WorkerBuild): string {
  const version = createHash('sha256')
    .update(JSON.stringify([build.page, build.files, build.fingerprint, WORKER_SOURCE]))
    .digest('base64url')
    .slice(0, 16);
  return `const BUILD = ${JSON.stringify({ version, page: build.page, files: build.files })};\n${WORKER_SOURCE}`;
}
