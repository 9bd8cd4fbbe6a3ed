/*
 * The key page's service worker (served as `k-sw.js`, scoped to `/k`). The server prepends
 * `const BUILD = { version, page, files }`: the build it belongs to, the page's path and the
 * element's files (entry and content-hashed chunks).
 *
 * - Install caches the page and the element's files under `instant-key-<version>`.
 * - A new build is a new worker, which waits (no skipWaiting) until no tab uses the previous
 *   one, so an open key page never mixes one build's entry with another's chunks; when it
 *   activates it deletes the older caches.
 * - Only the page and the element's files are answered from the cache. Every other request,
 *   the credential endpoint above all, goes to the network untouched and is never stored:
 *   its answers carry tickets and keys, which the element keeps encrypted itself.
 */
/* global BUILD */
const CACHE = `instant-key-${BUILD.version}`;
const FILE_PATHS = new Set(BUILD.files);
const ELEMENT_FILE = /\/instant-key[-\w]*\.js$/;

self.addEventListener('install', (event) => {
  // Revalidated, not taken from the HTTP cache: the page and the entry keep their names
  // across builds, and a stale copy would pair the old entry with the new version.
  const requests = [BUILD.page, ...BUILD.files].map((path) => new Request(path, { cache: 'no-cache' }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('instant-key-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.search) return;
  if (request.mode === 'navigate' && url.pathname === BUILD.page) {
    event.respondWith(fromCacheElseNetwork(BUILD.page, request));
  } else if (FILE_PATHS.has(url.pathname) || ELEMENT_FILE.test(url.pathname)) {
    event.respondWith(fromCacheElseNetwork(url.pathname, request));
  }
});

/** This build's copy; else the network's answer, kept when it is a complete success. */
async function fromCacheElseNetwork(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.status === 200 && response.type === 'basic') await cache.put(key, response.clone());
  return response;
}
