/// <reference types="mocha" />
// Regression tests for `navigator.bluetooth` polyfills (see support/polyfills.ts for the
// shapes): the element unlocks through each, a closed chooser never leaves it in `unlocking`,
// a plain-object `navigator.bluetooth` never breaks connecting or removing the element, and a
// polyfill that appears after the element gave up is picked up.
import { expect } from '@esm-bundle/chai';
import { addLock, setChooser, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { button, mountKey, recordEvents, settled, shadow, stateBecomes, tap, type InstantKeyElement } from './support/element.ts';
import { mintKey } from './support/key-fixture.ts';
import { installPolyfill, SHAPES } from './support/polyfills.ts';

describe('<instant-key> under navigator.bluetooth polyfills', () => {
  let el: InstantKeyElement | undefined;
  let undo: (() => void) | undefined;

  beforeEach(async () => {
    await startBluetooth();
  });

  afterEach(async () => {
    el?.remove();
    el = undefined;
    undo?.();
    undo = undefined;
    await stopBluetooth();
  });

  for (const [name, shape] of Object.entries(SHAPES)) {
    describe(name, () => {
      it('unlocks through the polyfill', async () => {
        const key = mintKey();
        const door = await addLock(key.locks[0]!);
        undo = installPolyfill(shape);
        el = mountKey(async () => key.response);
        await stateBecomes(el, 'ready');

        await tap(button(el, /Unlock Room 412/));
        await stateBecomes(el, 'unlocked');
        expect((await door.report()).unlockCount).to.equal(1);
      });

      it('a closed chooser is back to ready with a notice, never stuck in unlocking', async () => {
        const key = mintKey();
        await addLock(key.locks[0]!);
        await setChooser({ action: 'cancel' });
        undo = installPolyfill(shape);
        el = mountKey(async () => key.response);
        await stateBecomes(el, 'ready');
        const events = recordEvents(el);

        await tap(button(el, /Unlock Room 412/));
        await until(() => events.length > 0);
        await settled(el);
        expect(el.getAttribute('state')).to.equal('ready');
        expect(events.map((e) => e.detail.code)).to.deep.equal(['ble_cancelled']);
        expect(shadow(el).querySelector('[part~="notice"]')?.getAttribute('data-code')).to.equal('ble_cancelled');
      });

      it('survives being removed and added again, and still refreshes', async () => {
        const key = mintKey();
        let calls = 0;
        undo = installPolyfill(shape);
        el = mountKey(async () => (calls++, key.response));
        await stateBecomes(el, 'ready');
        el.remove();
        await Promise.resolve();
        document.body.append(el);
        document.dispatchEvent(new Event('visibilitychange'));
        window.dispatchEvent(new Event('online'));
        await until(() => calls >= 2);
        await stateBecomes(el, 'ready');
      });
    });
  }

  it('a polyfill injected after the element found no Bluetooth is picked up', async () => {
    Object.defineProperty(navigator, 'bluetooth', { value: undefined, configurable: true });
    undo = () => void delete (navigator as { bluetooth?: unknown }).bluetooth;
    const key = mintKey();
    const door = await addLock(key.locks[0]!);
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'unsupported');

    delete (navigator as { bluetooth?: unknown }).bluetooth;
    undo = installPolyfill(SHAPES['WebBLE (plain objects, no getAvailability, writeValue only)']!);
    // Polyfills inject on load or later; the element looks again when the page is shown.
    document.dispatchEvent(new Event('visibilitychange'));
    await stateBecomes(el, 'ready');
    await tap(button(el, /Unlock Room 412/));
    await stateBecomes(el, 'unlocked');
    expect((await door.report()).unlockCount).to.equal(1);
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise(requestAnimationFrame);
  }
}
