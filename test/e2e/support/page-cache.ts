/**
 * Stands in for the key page's service worker in tests: while online, every same-origin GET
 * except the credential endpoint goes to the server and is remembered; once `offline` is set,
 * those come from memory, as a service worker's cache would serve them, and everything else
 * meets the browser context's real offline mode. What is left to the real service worker
 * (install, update, scope) is the key page's own test.
 */
import type { BrowserContext, Route } from 'playwright-core';

export interface PageCache {
  /** Serve remembered responses only (pair with `context.setOffline(true)`). */
  offline: boolean;
  /** The paths served from memory while offline. */
  readonly served: string[];
}

export async function cachePages(context: BrowserContext, origin: string): Promise<PageCache> {
  const kept = new Map<string, { status: number; headers: Record<string, string>; body: Buffer }>();
  const cache: PageCache = { offline: false, served: [] };
  await context.route(
    (url) => url.origin === origin && !url.pathname.startsWith('/instant_keys/'),
    async (route: Route) => {
      const url = new URL(route.request().url());
      const key = url.pathname + url.search;
      if (cache.offline) {
        const hit = kept.get(key);
        if (!hit) return route.abort('internetdisconnected');
        cache.served.push(key);
        return route.fulfill(hit);
      }
      const response = await route.fetch();
      const entry = { status: response.status(), headers: response.headers(), body: await response.body() };
      if (route.request().method() === 'GET' && entry.status === 200) kept.set(key, entry);
      return route.fulfill(entry);
    },
  );
  return cache;
}
