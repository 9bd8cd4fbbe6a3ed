/// <reference types="mocha" />
// Every state and outcome a guest can meet, driven through the real element with emulated
// locks and a scripted server (the `resolver`), checking what the guest sees, what the host
// page hears, and that axe finds nothing wrong in each state.
import { expect } from '@esm-bundle/chai';
import { CredentialsError, type CredentialsErrorCode } from '../../src/credentials/errors.ts';
import type { CredentialsResponse } from '../../src/credentials/types.ts';
import { addLock, setAdapter, setChooser, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import {
  button,
  expectAxeClean,
  liveRegions,
  mountKey,
  partText,
  recordEvents,
  settled,
  shadow,
  stateBecomes,
  tap,
  TEST_TOKEN,
  type InstantKeyElement,
} from './support/element.ts';
import { mintKey, type DoorFixture } from './support/key-fixture.ts';

function refusal(code: CredentialsErrorCode): () => Promise<CredentialsResponse> {
  return () => Promise.reject(new CredentialsError(code, `scripted ${code}`));
}

function messageCode(el: InstantKeyElement): string | null | undefined {
  return shadow(el).querySelector('[part~="message"]')?.getAttribute('data-code');
}

function noticeCode(el: InstantKeyElement): string | null | undefined {
  return shadow(el).querySelector('[part~="notice"]')?.getAttribute('data-code');
}

function hasPart(el: InstantKeyElement, part: string): boolean {
  return shadow(el).querySelector(`[part~="${part}"]`) !== null;
}

let restoreWrites: (() => void) | undefined;

/**
 * Flips a bit of each UNLOCK on its way to the lock, as a damaged link would: the lock then
 * cannot open it and answers an authenticated BAD_PROOF. Undone after each test.
 */
function damageUnlockFrames(): void {
  const proto = (globalThis as unknown as { BluetoothRemoteGATTCharacteristic: { prototype: BluetoothRemoteGATTCharacteristic } }).BluetoothRemoteGATTCharacteristic.prototype;
  const write = proto.writeValueWithResponse;
  proto.writeValueWithResponse = function (this: BluetoothRemoteGATTCharacteristic, value: BufferSource) {
    const frame = new Uint8Array(ArrayBuffer.isView(value) ? value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) : value.slice(0));
    // At max_frame 512 the UNLOCK (type 0x03) travels in one frame, after its one-byte header.
    if (frame[1] === 0x03) frame[frame.length - 1]! ^= 0x01;
    return write.call(this, frame);
  };
  restoreWrites = () => void (proto.writeValueWithResponse = write);
}

describe('<instant-key> states and outcomes', () => {
  let el: InstantKeyElement | undefined;

  beforeEach(async () => {
    await startBluetooth();
  });

  afterEach(async () => {
    el?.remove();
    el = undefined;
    restoreWrites?.();
    restoreWrites = undefined;
    await stopBluetooth();
  });

  describe('the credentials view', () => {
    it('greets the guest and groups the doors by kind, each with its validity and Unlock button', async () => {
      const key = mintKey([
        { name: 'Main entrance', kind: 'common_area' },
        { name: 'Room 412' },
        { name: 'Gym', kind: 'amenity' },
        { name: 'Elevator A', kind: 'elevator' },
      ]);
      el = mountKey(async () => key.response);
      const events = recordEvents(el);
      await stateBecomes(el, 'ready');
      await settled(el);

      expect(partText(el, 'header')).to.match(/Welcome, Ada Lovelace/).and.match(/Your stay:/);
      const groups = [...shadow(el).querySelectorAll('[part~="group"]')].map((g) => g.getAttribute('data-kind'));
      expect(groups).to.deep.equal(['guest_room', 'elevator', 'amenity', 'common_area']);
      expect(partText(el, 'group')).to.match(/^Rooms Room 412 Until .+ Unlock Room 412$/);
      button(el, /Unlock Gym/);
      expect(button(el, /Unlock nearby door/).getAttribute('part')).to.equal('nearby-button');
      expect(liveRegions(el)).to.deep.equal({ polite: 'Your key is ready.', assertive: '' });
      expect(events.map((e) => e.type)).to.deep.equal(['ik-credentials']);
      expect(events[0]!.detail).to.have.length(4);
      expect(events[0]!.detail[0]).to.not.have.property('ticket');
      await expectAxeClean(el);
    });

    it('shows when access starts when none is active yet', async () => {
      const key = mintKey([]);
      const startsAt = new Date(Date.now() + 86_400_000).toISOString();
      key.response.upcoming = [
        { entrance: { acs_entrance_id: crypto.randomUUID(), display_name: 'Room 7', kind: 'guest_room' }, starts_at: startsAt, ends_at: startsAt.replace(/^\d{4}/, '2099') },
      ];
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await settled(el);

      expect(partText(el, 'empty')).to.match(/Your access has not started yet Your doors open .+\./);
      expect(partText(el, 'upcoming')).to.match(/Room 7 From /);
      expect(hasPart(el, 'unlock-button')).to.equal(false);
      await expectAxeClean(el);
    });

    it("applies the issuer's colour and logo, and lets the host page's custom properties win", async () => {
      const key = mintKey();
      key.response.instant_key.customization = { primary_color: '#7b2d8b', logo_url: 'https://hotel.example/logo.svg' };
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await settled(el);

      const unlock = button(el, /Unlock Room 412/);
      expect(getComputedStyle(unlock).backgroundColor).to.equal('rgb(123, 45, 139)');
      expect(shadow(el).querySelector('[part~="logo"]')?.getAttribute('src')).to.equal('https://hotel.example/logo.svg');
      el.style.setProperty('--ik-primary', 'rgb(0, 90, 60)');
      expect(getComputedStyle(unlock).backgroundColor).to.equal('rgb(0, 90, 60)');
      expect(unlock.getBoundingClientRect().height).to.be.at.least(44);
    });
  });

  describe('unlocking', () => {
    it('unlocks, says so politely, tells the host page, then goes back to ready', async () => {
      const key = mintKey();
      const door = await addLock(key.locks[0]!);
      el = mountKey(async () => key.response, { 'unlocked-hold': '1500' });
      const events = recordEvents(el);
      await stateBecomes(el, 'ready');

      const unlocked = stateBecomes(el, 'unlocked');
      await tap(button(el, /Unlock Room 412/));
      await unlocked;
      await settled(el);

      expect(liveRegions(el).polite).to.equal('Room 412 is unlocked.');
      expect(button(el, /Unlocked Room 412/).textContent?.trim()).to.equal('Unlocked Room 412');
      expect(events.at(-1)).to.deep.include({ type: 'ik-unlock' });
      expect(events.at(-1)!.detail.credential_id).to.equal(key.response.credentials[0]!.credential_id);
      await expectAxeClean(el);
      await stateBecomes(el, 'ready');
      expect((await door.report()).unlockCount).to.equal(1);
    });

    it('"Unlock nearby door" offers every lock of the key and opens the one chosen', async () => {
      const key = mintKey([{ name: 'Room 412' }, { name: 'Gym', kind: 'amenity' }]);
      await addLock(key.locks[0]!);
      const gym = await addLock(key.locks[1]!);
      await setChooser({ action: 'select', address: gym.address });
      el = mountKey(async () => key.response);
      const events = recordEvents(el);
      await stateBecomes(el, 'ready');

      await tap(button(el, /Unlock nearby door/));
      await stateBecomes(el, 'unlocked');
      await settled(el);

      expect(liveRegions(el).polite).to.equal('Gym is unlocked.');
      expect(events.at(-1)!.detail.entrance.display_name).to.equal('Gym');
      expect((await gym.report()).unlockCount).to.equal(1);
    });

    it('a closed chooser is a quiet notice in ready, not an error', async () => {
      const key = mintKey();
      await addLock(key.locks[0]!);
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await setChooser({ action: 'cancel' });
      const events = recordEvents(el);

      await tap(button(el, /Unlock Room 412/));
      await until(() => events.length > 0);
      await settled(el);

      expect(el.getAttribute('state')).to.equal('ready');
      expect(events[0]!.detail.code).to.equal('ble_cancelled');
      expect(noticeCode(el)).to.equal('ble_cancelled');
      expect(liveRegions(el).polite).to.match(/No lock was chosen/);
      await expectAxeClean(el);
    });

    it('tells the guest to turn Bluetooth on when the phone has no usable adapter', async () => {
      await setAdapter('absent');
      const key = mintKey();
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await until(() => noticeCode(el!) === 'ble_unavailable');
      expect(partText(el, 'notice')).to.equal('Turn on Bluetooth to unlock your doors.');
      await expectAxeClean(el);
    });

    // [what the lock or link does, expected code, what the guest may do next, the key's doors]
    const outcomes: Array<[string, string, 'retry' | 'refresh' | 'back', (key: ReturnType<typeof mintKey>) => Promise<void>, DoorFixture[]?]> = [
      ['the lock is jammed', 'lock_jammed', 'back', async (k) => void (await addLock({ ...k.locks[0]!, faults: { jammed: true } }))],
      ['the lock is busy with another phone', 'lock_busy', 'retry', async (k) => void (await addLock({ ...k.locks[0]!, faults: { busy: true } }))],
      ['the door is another lock sharing its key', 'lock_wrong_lock', 'back', async (k) => void (await addLock({ ...k.locks[0]!, lockId: crypto.randomUUID() }))],
      ['the lock revoked the credential', 'lock_revoked', 'back', async (k) => void (await addLock({ ...k.locks[0]!, revoked: [k.response.credentials[0]!.credential_id] }))],
      ['the lock clock is past the ticket', 'lock_expired', 'refresh', async (k) => void (await addLock({ ...k.locks[0]!, faults: { clockOffsetS: 7200 } }))],
      ['the ticket’s window has not opened yet', 'lock_not_yet_valid', 'back', async (k) => void (await addLock(k.locks[0]!)), [{ name: 'Room 412', window: { fromS: 3600, toS: 7200 } }]],
      ['the OK is not authenticated', 'lock_unauthenticated', 'retry', async (k) => void (await addLock({ ...k.locks[0]!, faults: { spoofUnauthenticatedOk: true } }))],
      ['the lock cannot be reached', 'ble_connect_failed', 'retry', async (k) => {
        const door = await addLock(k.locks[0]!);
        await door.setFaults({ gatt: { failConnect: true } });
      }],
      ['the lock drops the link mid-unlock', 'ble_disconnected', 'retry', async (k) => void (await addLock({ ...k.locks[0]!, faults: { disconnectAfterFrames: 1 } }))],
      ['GATT operations fail', 'ble_gatt_failed', 'retry', async (k) => {
        const door = await addLock(k.locks[0]!);
        await door.setFaults({ gatt: { failControl: true } });
      }],
      // The element waits its full 10 s step timeout (protocol.md's default, not settable from
      // the page): this case alone takes about 10 s.
      ['the lock never answers the HELLO', 'ble_timeout', 'retry', async (k) => void (await addLock({ ...k.locks[0]!, faults: { hangAt: 'hello' } }))],
      ['the UNLOCK is damaged on the way', 'lock_bad_proof', 'refresh', async (k) => {
        await addLock(k.locks[0]!);
        damageUnlockFrames();
      }],
    ];

    for (const [situation, code, next, arrange, doors] of outcomes) {
      it(`explains ${code} when ${situation}, offering ${next}`, async () => {
        const key = mintKey(doors);
        await arrange(key);
        el = mountKey(async () => key.response);
        const events = recordEvents(el);
        await stateBecomes(el, 'ready');

        await tap(button(el, /Unlock Room 412/));
        await stateBecomes(el, 'error');
        await settled(el);

        expect(events.at(-1)).to.deep.equal({
          type: 'ik-error',
          detail: { code, message: events.at(-1)!.detail.message, credential_id: key.response.credentials[0]!.credential_id },
        });
        expect(messageCode(el)).to.equal(code);
        expect(partText(el, 'message')).to.match(/^Room 412 did not unlock /);
        expect(liveRegions(el).assertive).to.match(/^Room 412 did not unlock /);
        expect(liveRegions(el).polite).to.equal('');
        expect(hasPart(el, 'retry-button')).to.equal(next === 'retry');
        expect(hasPart(el, 'refresh-button')).to.equal(next === 'refresh');
        expect(hasPart(el, 'back-button')).to.equal(true);
        await expectAxeClean(el);

        await tap(button(el, /^\s*Back\s*$/));
        await stateBecomes(el, 'ready');
      });
    }

    it('a retry after a busy lock unlocks once the lock is free', async () => {
      const key = mintKey();
      const door = await addLock({ ...key.locks[0]!, faults: { busy: true } });
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'error');

      await door.setFaults({ lock: { busy: false } });
      await tap(button(el, /Try again/));
      await stateBecomes(el, 'unlocked');
      expect((await door.report()).unlockCount).to.equal(1);
    });
  });

  describe('loading and the link itself', () => {
    const links: Array<[CredentialsErrorCode, string, RegExp]> = [
      ['link_invalid', 'error', /This link cannot be used This link is not valid/],
      ['link_max_use', 'error', /This link cannot be used This key is already used on as many phones as allowed/],
      ['link_expired', 'expired', /This key has expired Ask the front desk/],
      ['link_revoked', 'revoked', /This key is no longer valid It was cancelled/],
      ['network_offline', 'error', /Your key could not be loaded You are offline/],
      ['network_error', 'error', /Your key could not be loaded The key service is not answering/],
      // A chunk of the element itself that did not arrive is not "offline".
      ['load_failed', 'error', /Your key could not be loaded Part of this page could not be loaded\. Check your connection and try again\./],
    ];
    for (const [code, state, text] of links) {
      it(`shows ${code} as ${state} with its own message`, async () => {
        el = mountKey(refusal(code));
        const events = recordEvents(el);
        await stateBecomes(el, state);
        await settled(el);

        expect(messageCode(el)).to.equal(code);
        expect(partText(el, 'message')).to.match(text);
        expect(events).to.deep.equal([{ type: 'ik-error', detail: { code, message: `scripted ${code}` } }]);
        expect(hasPart(el, 'retry-button')).to.equal(code.startsWith('network') || code === 'load_failed');
        expect(liveRegions(el).assertive).to.not.equal('');
        await expectAxeClean(el);
      });
    }

    it('a retry after a network failure loads the key', async () => {
      const key = mintKey();
      let calls = 0;
      el = mountKey(() => (++calls === 1 ? refusal('network_error')() : Promise.resolve(key.response)));
      await stateBecomes(el, 'error');
      await tap(button(el, /Try again/));
      await stateBecomes(el, 'ready');
      expect(calls).to.equal(2);
    });
  });

  describe('keeping itself current', () => {
    it('shows a reissued room without a reload when the network comes back', async () => {
      const first = mintKey([{ name: 'Room 412' }]);
      const second = mintKey([{ name: 'Room 508' }]);
      let answer = first.response;
      el = mountKey(async () => answer);
      const events = recordEvents(el);
      await stateBecomes(el, 'ready');

      answer = second.response;
      dispatchEvent(new Event('online'));
      await until(() => events.length === 2);
      await settled(el);
      button(el, /Unlock Room 508/);
      expect(() => button(el!, /Unlock Room 412/)).to.throw();
    });

    it('keeps the last good credentials usable when a refresh finds no network', async () => {
      const key = mintKey();
      const door = await addLock(key.locks[0]!);
      let offline = false;
      el = mountKey(() => (offline ? refusal('network_offline')() : Promise.resolve(key.response)));
      const events = recordEvents(el);
      await stateBecomes(el, 'ready');

      offline = true;
      dispatchEvent(new Event('online'));
      await until(() => noticeCode(el!) === 'network_offline');
      expect(el.getAttribute('state')).to.equal('ready');
      expect(events.at(-1)!.detail.code).to.equal('network_offline');
      await expectAxeClean(el);

      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'unlocked');
      expect((await door.report()).unlockCount).to.equal(1);
    });

    it('switches to revoked on the next refresh after the link is revoked', async () => {
      const key = mintKey();
      let revoked = false;
      el = mountKey(() => (revoked ? refusal('link_revoked')() : Promise.resolve(key.response)));
      await stateBecomes(el, 'ready');

      revoked = true;
      dispatchEvent(new Event('online'));
      await stateBecomes(el, 'revoked');
      expect(hasPart(el, 'unlock-button')).to.equal(false);
    });
  });

  describe('languages', () => {
    it('speaks Spanish when lang="es", dates included', async () => {
      const key = mintKey();
      el = mountKey(async () => key.response, { lang: 'es' });
      await stateBecomes(el, 'ready');
      await until(() => /Hola/.test(partText(el!, 'header') ?? ''));

      button(el, /Abrir Room 412/);
      expect(partText(el, 'group')).to.match(/^Habitaciones Room 412 Hasta el /);
      await expectAxeClean(el);
    });

    it("follows the page's language and lays Arabic out right to left", async () => {
      const key = mintKey();
      const host = document.createElement('div');
      host.lang = 'ar';
      document.body.append(host);
      el = mountKey(async () => key.response);
      host.append(el);
      await stateBecomes(el, 'ready');
      await until(() => /مرحبًا/.test(partText(el!, 'header') ?? ''));

      expect(shadow(el).querySelector('[part~="base"]')?.getAttribute('dir')).to.equal('rtl');
      button(el, /فتح Room 412/);
      await expectAxeClean(el);
      el.remove();
      host.remove();
    });
  });

  describe('sharing', () => {
    it('offers the Instant Key URL by copy, SMS and email when there is no share sheet', async () => {
      const key = mintKey();
      el = mountKey(async () => key.response, { endpoint: 'https://keys.hotel.example' });
      Object.defineProperty(navigator, 'share', { value: undefined, configurable: true });
      await stateBecomes(el, 'ready');

      await tap(button(el, /Share key/));
      await until(() => hasPart(el!, 'share-links'));
      const links = [...shadow(el).querySelectorAll<HTMLAnchorElement>('[part~="share-links"] a')].map((a) => a.href);
      const url = encodeURIComponent(`https://keys.hotel.example/k#${TEST_TOKEN}`);
      expect(links).to.have.length(2);
      expect(links[0]).to.match(/^sms:/).and.include(url);
      expect(links[1]).to.match(/^mailto:/).and.include(url);
      expect(button(el, /Share key/).getAttribute('aria-expanded')).to.equal('true');
      await expectAxeClean(el);
    });
  });

  describe('preview', () => {
    it('shows sample doors and unlocks an in-page virtual lock, without a server or Bluetooth', async () => {
      el = document.createElement('instant-key') as InstantKeyElement;
      el.setAttribute('preview', '');
      const events = recordEvents(el);
      document.body.append(el);
      await stateBecomes(el, 'ready');

      const unlocked = stateBecomes(el, 'unlocked');
      await tap(button(el, /Unlock Room 412/));
      await unlocked;
      expect(events.map((e) => e.type)).to.deep.equal(['ik-credentials', 'ik-unlock']);
      await expectAxeClean(el);
    });

    it('can show any outcome, for designers', async () => {
      el = document.createElement('instant-key') as InstantKeyElement;
      el.setAttribute('preview', 'lock_jammed');
      document.body.append(el);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Unlock Gym/));
      await stateBecomes(el, 'error');
      expect(messageCode(el)).to.equal('lock_jammed');
    });
  });
});

/** Resolves once `check` holds, polling each animation frame (for changes with no event). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise(requestAnimationFrame);
  }
}
