/// <reference types="mocha" />
import { expect } from '@esm-bundle/chai';
import { addLock, setChooser, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { button, mountKey, nextEvent, stateBecomes, tap, type InstantKeyElement } from './support/element.ts';
import { mintKey, type KeyFixture } from './support/key-fixture.ts';

/** The entrance row of the door whose lock advertises as `bleName`. */
function entranceOf(el: InstantKeyElement, key: KeyFixture, bleName: string): HTMLElement {
  const credential = key.response.credentials.find((c) => c.lock.ble_name === bleName)!;
  return el.shadowRoot!.querySelector(`[part~="entrance"][data-credential-id="${credential.credential_id}"]`)!;
}

/** Resolves once the row shows the door as nearby, as the guest sees it. */
function markedNearby(row: HTMLElement, timeoutMs = 5_000): Promise<void> {
  if (row.dataset.inRange === 'true') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('the door was never marked nearby'));
    }, timeoutMs);
    const observer = new MutationObserver(() => {
      if (row.dataset.inRange !== 'true') return;
      clearTimeout(timer);
      observer.disconnect();
      resolve();
    });
    observer.observe(row, { attributes: true, attributeFilter: ['data-in-range'] });
  });
}

/** A device the page was granted, as Chromium's newer permissions backend gives it. */
type GrantedDevice = BluetoothDevice & { readonly watchingAdvertisements: boolean; watchAdvertisements(options?: { signal?: AbortSignal }): Promise<void> };

/** The devices the page was granted, through `getDevices` as the browser itself provides it. */
const grantedDevices: () => Promise<GrantedDevice[]> = (() => {
  const bluetooth = navigator.bluetooth!;
  const getDevices = bluetooth.getDevices!.bind(bluetooth);
  return () => getDevices() as Promise<GrantedDevice[]>;
})();

/**
 * Resolves once the page watches `bleName`'s advertisements (Chromium offers no event for it):
 * a lock heard before that is not heard at all.
 */
async function pageWatches(bleName: string, timeoutMs = 5_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await isWatched(bleName))) {
    if (performance.now() > until) throw new Error(`the page never watched ${bleName}`);
    await new Promise(requestAnimationFrame);
  }
}

async function isWatched(bleName: string): Promise<boolean> {
  return (await grantedDevices()).some((d) => d.name === bleName && d.watchingAdvertisements);
}

/** The next unlock's outcome: `ik-unlock`, or the `ik-error` (a chooser closed, say) instead. */
function unlockOutcome(el: InstantKeyElement): Promise<{ type: string; [field: string]: unknown }> {
  return Promise.race(
    ['ik-unlock', 'ik-error'].map((type) => nextEvent<Record<string, unknown>>(el, type).then((detail) => ({ type, ...detail }))),
  );
}

/** The guest's first visit: mount the key and open the door through the chooser. */
async function unlockThroughChooser(key: KeyFixture): Promise<InstantKeyElement> {
  const el = mountKey(async () => key.response, { 'unlocked-hold': '200' });
  await stateBecomes(el, 'ready');
  const outcome = unlockOutcome(el);
  await tap(button(el, /Unlock Room 412/));
  const result = await outcome;
  expect(result, JSON.stringify(result)).to.include({ type: 'ik-unlock' });
  await stateBecomes(el, 'ready');
  return el;
}

describe('<instant-key> nearby detection over emulated Bluetooth', () => {
  let el: InstantKeyElement | undefined;

  beforeEach(async () => {
    await startBluetooth();
  });

  afterEach(async () => {
    el?.remove();
    delete (navigator.bluetooth as { getDevices?: unknown }).getDevices;
    await stopBluetooth();
  });

  it('marks a door chosen once as nearby when its lock advertises, and opens it with one tap without the chooser', async () => {
    const key = mintKey();
    const door = await addLock(key.locks[0]!);
    el = await unlockThroughChooser(key);
    const row = entranceOf(el, key, door.name);
    expect(row.dataset.inRange).to.equal('false');
    expect(row.querySelector('.near')).to.equal(null);

    await pageWatches(door.name);
    await door.advertise();
    await markedNearby(row);
    expect(row.querySelector('.near')?.textContent).to.equal('Nearby');

    await setChooser({ action: 'cancel' });
    const outcome = unlockOutcome(el);
    await tap(button(el, /Unlock Room 412/));

    expect(await outcome).to.include({ type: 'ik-unlock', credential_id: key.response.credentials[0]!.credential_id });
    const report = await door.report();
    expect(report.unlockCount).to.equal(2);
    expect(report.log.at(-1)).to.include({ status: 'OK', message: 'UNLOCK' });
  });

  it('remembers the chosen lock on a later visit: no chooser once it advertises', async () => {
    const key = mintKey();
    const door = await addLock(key.locks[0]!);
    (await unlockThroughChooser(key)).remove();
    // A removed element stops watching, so what follows is the new element's own watch.
    expect(await isWatched(door.name)).to.equal(false);
    await setChooser({ action: 'cancel' });

    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    await pageWatches(door.name);
    await door.advertise();
    await markedNearby(entranceOf(el, key, door.name));
    const outcome = unlockOutcome(el);
    await tap(button(el, /Unlock Room 412/));

    expect(await outcome).to.include({ type: 'ik-unlock' });
    expect((await door.report()).unlockCount).to.equal(2);
  });

  it('keeps the chooser flow in a browser without getDevices', async () => {
    Object.defineProperty(navigator.bluetooth, 'getDevices', { value: undefined, configurable: true });
    const key = mintKey();
    const door = await addLock(key.locks[0]!);
    el = await unlockThroughChooser(key);

    // The lock advertises and this test hears it; the element, unable to watch, must not.
    const [device] = (await grantedDevices()).filter((d) => d.name === door.name);
    const watch = new AbortController();
    const heard = new Promise((resolve) => device!.addEventListener('advertisementreceived', resolve, { once: true }));
    await device!.watchAdvertisements({ signal: watch.signal });
    await door.advertise();
    await heard;
    watch.abort();
    await el.updateComplete;
    expect(entranceOf(el, key, door.name).dataset.inRange).to.equal('false');

    await setChooser({ action: 'cancel' });
    const notice = nextEvent<{ code: string }>(el, 'ik-error');
    await tap(button(el, /Unlock Room 412/));
    expect((await notice).code).to.equal('ble_cancelled');
    expect((await door.report()).unlockCount).to.equal(1);
  });
});

