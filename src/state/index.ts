import { computed, type ReadableAtom } from 'nanostores';
import { deriveElementState, type ElementState } from './element-state.ts';
import { createKeyStore, type KeyStore } from './key.ts';
import { createUnlockStore, type UnlockStore } from './unlock.ts';

export * from './element-state.ts';
export * from './key.ts';
export * from './unlock.ts';
export { StoreController } from './store-controller.ts';

/** All state of one `<instant-key>`: made per instance so two elements never share it. */
export interface KeyState {
  $key: KeyStore;
  $unlock: UnlockStore;
  $state: ReadableAtom<ElementState>;
}

export function createKeyState(): KeyState {
  const $key = createKeyStore();
  const $unlock = createUnlockStore();
  return { $key, $unlock, $state: computed([$key, $unlock], deriveElementState) };
}
export * from './refresh.ts';
