/** Mounting and driving <instant-key> in a browser test, as a guest would. */
import { sendMouse } from '@web/test-runner-commands';
import '../../../src/define.ts';
import type { InstantKeyElement } from '../../../src/instant-key.ts';
import type { CredentialsResponse } from '../../../src/credentials/types.ts';

export type { InstantKeyElement };

/** Mounts an element whose credentials come from `resolve` instead of HTTP. */
export function mountKey(resolve: () => Promise<CredentialsResponse>): InstantKeyElement {
  const el = document.createElement('instant-key') as InstantKeyElement;
  el.resolver = () => resolve();
  el.token = 'ik_browser_test_token_0000000000000000000000';
  document.body.append(el);
  return el;
}

/** Resolves when the element's reflected `state` becomes `state`. */
export function stateBecomes(el: HTMLElement, state: string, timeoutMs = 15_000): Promise<void> {
  if (el.getAttribute('state') === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`state stayed ${el.getAttribute('state')}, wanted ${state}`));
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
  target.scrollIntoView({ block: 'center' });
  const box = target.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)] });
}

/** Resolves with the next `type` event's detail. */
export function nextEvent<T>(el: HTMLElement, type: string): Promise<T> {
  return new Promise((resolve) => el.addEventListener(type, (e) => resolve((e as CustomEvent<T>).detail), { once: true }));
}
