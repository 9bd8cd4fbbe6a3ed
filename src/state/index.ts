import { atom, type ReadableAtom } from 'nanostores';
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
  // Kept in step eagerly rather than with nanostores' `computed`, whose lazy mounting costs
  // the script-tag file about 1 KB for this one value; `set` notifies only on a change.
  const $state = atom(deriveElementState($key.get(), $unlock.get()));
  const derive = (): void => $state.set(deriveElementState($key.get(), $unlock.get()));
  $key.listen(derive);
  $unlock.listen(derive);
  return { $key, $unlock, $state };
}
export * from './refresh.ts';
