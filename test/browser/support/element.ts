/** Mounting and driving <instant-key> in a browser test, as a guest would. */
import { sendMouse } from '@web/test-runner-commands';
import { warmUpInput } from './input.ts';
import 'axe-core/axe.min.js';
import '../../../src/define.ts';
import type { InstantKeyElement } from '../../../src/instant-key.ts';
import type { CredentialsResponse } from '../../../src/credentials/types.ts';

export type { InstantKeyElement };

export const TEST_TOKEN = 'ik_browser_test_token_0000000000000000000000';

/**
 * Mounts an element whose credentials come from `resolve` (a scripted server) instead of
 * HTTP, with any attributes given.
 */
export function mountKey(
  resolve: () => Promise<CredentialsResponse>,
  attributes: Record<string, string> = {},
): InstantKeyElement {
  const el = document.createElement('instant-key') as InstantKeyElement;
  el.resolver = () => resolve();
  el.token = TEST_TOKEN;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  document.body.append(el);
  return el;
}

/** Every `ik-*` event the element fires from now on, in order. */
export function recordEvents(el: HTMLElement): Array<{ type: string; detail: any }> {
  const seen: Array<{ type: string; detail: any }> = [];
  for (const type of ['ik-credentials', 'ik-unlock', 'ik-error', 'ik-unsupported']) {
    el.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail }));
  }
  return seen;
}

/** The element's shadow root, for reading what the guest sees. */
export function shadow(el: InstantKeyElement): ShadowRoot {
  return el.shadowRoot!;
}

/** The visible text of the first `part` (collapsed whitespace), or undefined. */
export function partText(el: InstantKeyElement, part: string): string | undefined {
  return shadow(el).querySelector(`[part~="${part}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
}

/** The text of the polite and the assertive live regions. */
export function liveRegions(el: InstantKeyElement): { polite: string; assertive: string } {
  const text = (role: string) => shadow(el).querySelector(`[role="${role}"]`)?.textContent?.trim() ?? '';
  return { polite: text('status'), assertive: text('alert') };
}

/** Resolves once the element has rendered what its stores hold now. */
export async function settled(el: InstantKeyElement): Promise<void> {
  while (!(await el.updateComplete));
}

/** Runs axe-core on the element (shadow DOM included) and fails with each violation named. */
export async function expectAxeClean(el: InstantKeyElement): Promise<void> {
  await settled(el);
  const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; help: string; nodes: unknown[] }> }> } }).axe;
  const { violations } = await axe.run(el, { resultTypes: ['violations'] });
  if (violations.length) {
    throw new Error(`axe (state ${el.getAttribute('state')}): ${violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`).join('; ')}`);
  }
}

/** Resolves when the element's reflected `state` becomes `state`. */
export function stateBecomes(el: HTMLElement, state: string, timeoutMs = 15_000): Promise<void> {
  if (el.getAttribute('state') === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      observer.disconnect();
      const codes = [...(el.shadowRoot?.querySelectorAll('[data-code]') ?? [])].map((n) => n.getAttribute('data-code'));
      reject(new Error(`state stayed ${el.getAttribute('state')} (shown codes: ${codes.join(', ') || 'none'}), wanted ${state}`));
    }, timeoutMs);
    const observer = new MutationObserver(() => {
      if (el.getAttribute('state') !== state) return;
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    });
    observer.observe(el, { attributes: true, attributeFilter: ['state'] });
  });
}

/** The button whose accessible text names `label`, e.g. "Unlock Room 412". */
export function button(el: InstantKeyElement, label: RegExp): HTMLButtonElement {
  const found = [...el.shadowRoot!.querySelectorAll('button')].find((b) =>
    label.test(b.getAttribute('aria-label') ?? b.textContent ?? ''),
  );
  if (!found) throw new Error(`no button matching ${label}`);
  return found;
}

/** Clicks like a person (a real input event, so the page gets a user activation). */
export async function tap(target: HTMLElement): Promise<void> {
  await warmUpInput();
  target.scrollIntoView({ block: 'center' });
  const box = target.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
}

/** Resolves with the next `type` event's detail. */
export function nextEvent<T>(el: HTMLElement, type: string): Promise<T> {
  return new Promise((resolve) => el.addEventListener(type, (e) => resolve((e as CustomEvent<T>).detail), { once: true }));
}
