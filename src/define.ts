import { InstantKeyElement } from './instant-key.ts';

export { InstantKeyElement };

export const TAG_NAME = 'instant-key';

/**
 * Registers `<instant-key>` unless something already owns the tag: a second copy of this
 * script (same or other version) must not throw and break the host page.
 */
export function defineInstantKey(registry: CustomElementRegistry = customElements): void {
  const existing = registry.get(TAG_NAME);
  if (existing === undefined) {
    registry.define(TAG_NAME, InstantKeyElement);
  } else if (existing !== InstantKeyElement) {
    console.warn(`[instant-key] <${TAG_NAME}> is already defined by another script; this copy is not registered.`);
  }
}

defineInstantKey();

declare global {
  interface HTMLElementTagNameMap {
    'instant-key': InstantKeyElement;
  }
}
