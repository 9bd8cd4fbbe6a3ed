/// <reference types="mocha" />
import { expect } from '@esm-bundle/chai';
import { addLock, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { button, mountKey, nextEvent, stateBecomes, tap, type InstantKeyElement } from './support/element.ts';
import { mintKey } from './support/key-fixture.ts';

describe('<instant-key> unlocking over emulated Bluetooth', () => {
  let el: InstantKeyElement | undefined;

  beforeEach(async () => {
    await startBluetooth();
  });

  afterEach(async () => {
    el?.remove();
    await stopBluetooth();
  });

  for (const maxFrame of [512, 20]) {
    it(`unlocks a door whose lock takes frames of ${maxFrame} bytes`, async () => {
      const key = mintKey([{ name: 'Room 412', maxFrame }]);
      const door = await addLock(key.locks[0]!);
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');

      const unlocked = nextEvent<{ credential_id: string }>(el, 'ik-unlock');
      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'unlocked');

      expect((await unlocked).credential_id).to.equal(key.response.credentials[0]!.credential_id);
      const report = await door.report();
      expect(report.unlockCount).to.equal(1);
      expect(report.log.at(-1)).to.include({ status: 'OK', message: 'UNLOCK' });
    });
  }

  it('shows an error with the lock refusal when the lock is jammed', async () => {
    const key = mintKey();
    const door = await addLock({ ...key.locks[0]!, faults: { jammed: true } });
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');

    const failed = nextEvent<{ code: string }>(el, 'ik-error');
    await tap(button(el, /Unlock Room 412/));
    await stateBecomes(el, 'error');

    expect((await failed).code).to.equal('lock_jammed');
    expect(el.shadowRoot!.querySelector('[part~="message"]')?.getAttribute('data-code')).to.equal('lock_jammed');
    expect((await door.report()).unlockCount).to.equal(0);
  });

  it('goes back to ready, without an error state, when the guest closes the chooser', async () => {
    const key = mintKey();
    await addLock(key.locks[0]!);
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    const { setChooser } = await import('../../src/testing/browser.ts');
    await setChooser({ action: 'cancel' });

    const notice = nextEvent<{ code: string }>(el, 'ik-error');
    await tap(button(el, /Unlock Room 412/));
    expect((await notice).code).to.equal('ble_cancelled');
    expect(el.getAttribute('state')).to.equal('ready');
  });
});
