/// <reference types="mocha" />
// Attack (issue 13): a script on the host page opens a remembered, in-range door with a
// synthetic click, without the guest touching anything. An unlock starts only from trusted
// user input (`event.isTrusted`).
import { expect } from '@esm-bundle/chai';
import { addLock, setChooser, startBluetooth, stopBluetooth, type AttachedLock } from '../../src/testing/browser.ts';
import { button, mountKey, nextEvent, recordEvents, settled, stateBecomes, tap, type InstantKeyElement } from './support/element.ts';
import { mintKey, type KeyFixture } from './support/key-fixture.ts';

/** A device the page was granted, as Chromium's newer permissions backend gives it. */
type GrantedDevice = BluetoothDevice & { readonly watchingAdvertisements: boolean };

/** Resolves once the page watches `bleName`'s advertisements (Chromium offers no event for it). */
async function pageWatches(bleName: string, timeoutMs = 5_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  const getDevices = navigator.bluetooth!.getDevices!.bind(navigator.bluetooth);
  while (!((await getDevices()) as GrantedDevice[]).some((d) => d.name === bleName && d.watchingAdvertisements)) {
    if (performance.now() > until) throw new Error(`the page never watched ${bleName}`);
    await new Promise(requestAnimationFrame);
  }
}

/** Resolves once the door's row shows it as nearby. */
async function markedNearby(el: InstantKeyElement, key: KeyFixture, bleName: string, timeoutMs = 5_000): Promise<void> {
  const id = key.response.credentials.find((c) => c.lock.ble_name === bleName)!.credential_id;
  const until = performance.now() + timeoutMs;
  for (;;) {
    const row = el.shadowRoot!.querySelector<HTMLElement>(`[part~="entrance"][data-credential-id="${id}"]`);
    if (row?.dataset.inRange === 'true') return;
    if (performance.now() > until) throw new Error('the door was never marked nearby');
    await new Promise(requestAnimationFrame);
  }
}

describe('<instant-key> against a synthetic click', () => {
  let el: InstantKeyElement | undefined;
  let key: KeyFixture;
  let door: AttachedLock;

  beforeEach(async () => {
    await startBluetooth();
    key = mintKey([{ name: 'Room 412' }, { name: 'Gym', kind: 'common_area' }]);
    door = await addLock(key.locks[0]!);
    // The guest's first visit: one real tap through the chooser; the lock is then remembered.
    el = mountKey(async () => key.response, { 'unlocked-hold': '200' });
    await stateBecomes(el, 'ready');
    const first = nextEvent(el, 'ik-unlock');
    await tap(button(el, /Unlock Room 412/));
    await first;
    await stateBecomes(el, 'ready');
    // From now on a chooser would be cancelled: only a remembered lock can open.
    await setChooser({ action: 'cancel' });
    await pageWatches(door.name);
    await door.advertise();
    await markedNearby(el, key, door.name);
  });

  afterEach(async () => {
    el?.remove();
    await stopBluetooth();
  });

  it('does not open a remembered, in-range door from a script, and does from a real tap', async () => {
    const events = recordEvents(el!);
    button(el!, /Unlock Room 412/).click();
    button(el!, /Unlock Room 412/).dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    await settled(el!);
    expect(el!.getAttribute('state'), 'no unlock started').to.equal('ready');
    expect(events).to.deep.equal([]);
    expect((await door.report()).unlockCount, 'the lock was never asked').to.equal(1);

    const opened = nextEvent(el!, 'ik-unlock');
    await tap(button(el!, /Unlock Room 412/));
    await opened;
    expect((await door.report()).unlockCount).to.equal(2);
  });

  it('does not start an unlock from a synthetic click on "Unlock nearby door" either', async () => {
    const nearby = el!.shadowRoot!.querySelector<HTMLButtonElement>('[part~="nearby-button"]');
    expect(nearby, 'the key opens several doors, so the nearby button shows').to.not.equal(null);
    const events = recordEvents(el!);
    nearby!.click();
    await settled(el!);
    expect(el!.getAttribute('state')).to.equal('ready');
    expect(events).to.deep.equal([]);
    expect((await door.report()).unlockCount).to.equal(1);
  });

  it('does not retry from a synthetic click on "Try again"', async () => {
    await door.setFaults({ lock: { busy: true } });
    await tap(button(el!, /Unlock Room 412/));
    await stateBecomes(el!, 'error');
    await door.setFaults({ lock: { busy: false } });
    const before = (await door.report()).unlockCount;

    button(el!, /Try again/).click();
    await settled(el!);
    expect(el!.getAttribute('state')).to.equal('error');
    expect((await door.report()).unlockCount).to.equal(before);

    await tap(button(el!, /Try again/));
    await stateBecomes(el!, 'unlocked');
    expect((await door.report()).unlockCount).to.equal(before + 1);
  });
});
