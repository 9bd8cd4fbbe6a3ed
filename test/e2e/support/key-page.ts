/**
 * The built element on a page of its own, with credentials the test minted (real IK1 tickets
 * for virtual locks) handed in through its `resolver`: for tests of what the element does
 * with a transport, without the stub server.
 */
import type { Page } from 'playwright-core';
import { serveStatic, type StaticServer } from '../../../examples/static-server.ts';
import type { CredentialsResponse } from '../../../src/credentials/types.ts';

export function serveKeyPage(): Promise<StaticServer> {
  return serveStatic({ mounts: { '/dist/': 'dist', '/': 'test/e2e/support/pages' }, urlHost: '127.0.0.1' });
}

/** Opens the key page with `credentials` and the element's `attributes` (set before any script runs). */
export async function openKey(page: Page, origin: string, credentials: CredentialsResponse, attributes: Record<string, string> = {}): Promise<void> {
  await page.addInitScript(
    ([c, a]) => void Object.assign(window, { __ikCredentials: c, __ikAttributes: a }),
    [credentials, attributes] as const,
  );
  await page.goto(`${origin}/key.html`);
}

/** How many times the element asked its resolver for credentials. */
export function resolverCalls(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __ikResolved: number }).__ikResolved);
}

/** Resolves when the element's reflected state is `state`. */
export async function stateIs(page: Page, state: string, timeout = 15_000): Promise<void> {
  await page.locator(`instant-key[state="${state}"]`).waitFor({ timeout });
}

export interface RecordedEvent {
  type: string;
  detail: { code?: string; [key: string]: unknown };
}

export function events(page: Page): Promise<RecordedEvent[]> {
  return page.evaluate(() => (window as unknown as { __ikEvents: RecordedEvent[] }).__ikEvents);
}

/** The `data-code` of the element's message (an error) or notice, if shown. */
export function shownCode(page: Page, part: 'message' | 'notice'): Promise<string | null> {
  return page.evaluate((p) => document.querySelector('instant-key')!.shadowRoot!.querySelector(`[part~="${p}"]`)?.getAttribute('data-code') ?? null, part);
}
