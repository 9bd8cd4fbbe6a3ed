/// <reference types="mocha" />
// What the guest sees and where: the front desk's contact wherever the guest is sent there,
// outcomes in view with focus where it belongs, a notice that clears itself, no layout shift,
// and the console hints a developer needs.
import { expect } from '@esm-bundle/chai';
import { emulateMedia } from '@web/test-runner-commands';
import { CredentialsError } from '../../src/credentials/errors.ts';
import type { CredentialsResponse } from '../../src/credentials/types.ts';
import { addLock, setAdapter, setChooser, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { button, expectAxeClean, mountKey, partText, settled, shadow, stateBecomes, tap, TEST_TOKEN, type InstantKeyElement } from './support/element.ts';
import { mintKey, type DoorFixture } from './support/key-fixture.ts';

const SUPPORT = { support_phone: '+351210000000', support_email: 'desk@hotel.example' };

function supportLinks(el: InstantKeyElement): string[] {
  return [...shadow(el).querySelectorAll<HTMLAnchorElement>('[part~="message"] [part~="support"] a')].map((a) => a.getAttribute('href')!);
}

/** Every `console.warn` from now on, until `restore()`. */
function recordWarnings(): { warnings: string[]; restore(): void } {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  return { warnings, restore: () => void (console.warn = original) };
}

function inViewport(node: Element): boolean {
  const box = node.getBoundingClientRect();
  // Scrolled to the edge, a box may end a fraction of a pixel past it.
  return box.top >= 0 && box.bottom <= innerHeight + 1 && box.height > 0;
}

describe('<instant-key> for the guest', () => {
  let el: InstantKeyElement | undefined;
  let warned: ReturnType<typeof recordWarnings> | undefined;

  beforeEach(async () => {
    await startBluetooth();
  });

  afterEach(async () => {
    el?.remove();
    el = undefined;
    warned?.restore();
    warned = undefined;
    document.querySelector('#below')?.remove();
    await stopBluetooth();
  });

  describe('the front desk', () => {
    it('is offered by phone and email when a lock refuses for good', async () => {
      const key = mintKey();
      key.response.instant_key.customization = SUPPORT;
      await addLock({ ...key.locks[0]!, faults: { jammed: true } });
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'error');
      await settled(el);

      expect(supportLinks(el)).to.deep.equal(['tel:+351210000000', 'mailto:desk@hotel.example']);
      expect(partText(el, 'support')).to.match(/Call .*\+351210000000.* Email the front desk/);
      await expectAxeClean(el);
    });

    it('is not offered for a failure the guest can retry', async () => {
      const key = mintKey();
      key.response.instant_key.customization = SUPPORT;
      await addLock({ ...key.locks[0]!, faults: { busy: true } });
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'error');
      expect(supportLinks(el)).to.deep.equal([]);
    });

    it('is offered when the link turns out revoked, with the issuer’s contact from its last answer', async () => {
      const key = mintKey();
      key.response.instant_key.customization = { support_phone: '+14155550100' };
      let revoked = false;
      el = mountKey(() => (revoked ? Promise.reject(new CredentialsError('link_revoked', 'revoked')) : Promise.resolve(key.response)));
      await stateBecomes(el, 'ready');
      revoked = true;
      dispatchEvent(new Event('online'));
      await stateBecomes(el, 'revoked');
      await settled(el);
      expect(supportLinks(el)).to.deep.equal(['tel:+14155550100']);
    });
    it('cannot be made to add headers to the email', async () => {
      el = mountKey(() => Promise.reject(new CredentialsError('link_revoked', 'revoked')), { 'support-email': 'desk@hotel.example?bcc=spy' });
      await stateBecomes(el, 'revoked');
      await settled(el);
      expect(supportLinks(el)).to.deep.equal(['mailto:desk@hotel.example%3Fbcc=spy']);
    });

    it('is offered from the host page’s attributes for a link that expired before it ever loaded here', async () => {
      el = mountKey(() => Promise.reject(new CredentialsError('link_expired', 'expired')), {
        'support-phone': '+351210000000',
        'support-email': 'not an address',
      });
      await stateBecomes(el, 'expired');
      await settled(el);
      expect(supportLinks(el), 'an invalid address is left out').to.deep.equal(['tel:+351210000000']);
    });
  });

  describe('outcomes where the guest is looking', () => {
    const doors: DoorFixture[] = Array.from({ length: 12 }, (_, i) => ({ name: `Meeting room ${i + 1}`, kind: 'common_area' }));

    it('scrolls the last door’s error into view and focuses it, and Back returns focus to that door', async () => {
      const key = mintKey([{ name: 'Room 412' }, ...doors]);
      const last = key.locks.at(-1)!;
      await addLock({ ...last, faults: { jammed: true } });
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      scrollTo(0, 0);

      await tap(button(el, /Unlock Meeting room 12/));
      await stateBecomes(el, 'error');
      await settled(el);
      const message = shadow(el).querySelector('[part~="message"]')!;
      await until(() => inViewport(message)).catch((e) => {
        throw new Error(`${e.message}: ${JSON.stringify(message.getBoundingClientRect())} in ${innerHeight}, scrollY ${scrollY}`);
      });
      expect(shadow(el).activeElement).to.equal(message);
      expect(message.closest('ul')).to.not.equal(null, 'the message sits in the list, under its door');

      await tap(button(el, /^\s*Back\s*$/));
      await stateBecomes(el, 'ready');
      await settled(el);
      expect(shadow(el).activeElement).to.equal(button(el, /Unlock Meeting room 12/));
    });

    for (const motion of ['no-preference', 'reduce'] as const) {
      it(`${motion === 'reduce' ? 'does not vibrate under reduced motion' : 'vibrates briefly on success'}`, async () => {
        const buzzes: unknown[] = [];
        const vibrate = Object.getOwnPropertyDescriptor(Navigator.prototype, 'vibrate');
        Object.defineProperty(navigator, 'vibrate', { value: (pattern: unknown) => (buzzes.push(pattern), true), configurable: true });
        await emulateMedia({ reducedMotion: motion });
        try {
          const key = mintKey();
          await addLock(key.locks[0]!);
          el = mountKey(async () => key.response);
          await stateBecomes(el, 'ready');
          await tap(button(el, /Unlock Room 412/));
          await stateBecomes(el, 'unlocked');
          expect(buzzes).to.deep.equal(motion === 'reduce' ? [] : [60]);
        } finally {
          await emulateMedia({ reducedMotion: 'no-preference' });
          delete (navigator as { vibrate?: unknown }).vibrate;
          if (vibrate && !('vibrate' in navigator)) Object.defineProperty(Navigator.prototype, 'vibrate', vibrate);
        }
      });
    }

    it('keeps each Unlock button at one width through Unlocking and Unlocked', async () => {
      const key = mintKey();
      await addLock(key.locks[0]!);
      el = mountKey(async () => key.response, { 'unlocked-hold': '60000' });
      await stateBecomes(el, 'ready');
      const width = () => button(el!, /Room 412/).getBoundingClientRect().width;
      const ready = width();
      const unlocking = stateBecomes(el, 'unlocking');
      await tap(button(el, /Unlock Room 412/));
      await unlocking;
      await settled(el);
      expect(width()).to.equal(ready);
      await stateBecomes(el, 'unlocked');
      await settled(el);
      expect(width()).to.equal(ready);
      expect(shadow(el).querySelector('[part~="entrance"]')!.classList.contains('done')).to.equal(true);
      await expectAxeClean(el);
    });
  });

  describe('the Bluetooth-off notice', () => {
    it('clears itself once Bluetooth is back and the page has focus again', async () => {
      await setAdapter('absent');
      const key = mintKey();
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await until(() => partText(el!, 'notice') === 'Turn on Bluetooth to unlock your doors.');

      await setAdapter('powered-on');
      // What coming back from the phone's settings does; Chromium fires no availabilitychanged.
      dispatchEvent(new Event('focus'));
      await until(() => partText(el!, 'notice') === undefined);
    });

    it('does not move the doors when it comes or goes', async () => {
      await setAdapter('absent');
      const key = mintKey([{ name: 'Room 412' }, { name: 'Gym', kind: 'amenity' }]);
      el = mountKey(async () => key.response);
      await stateBecomes(el, 'ready');
      await settled(el);
      const gym = () => shadow(el!).querySelector('[data-kind="amenity"] [part~="entrance"]')!.getBoundingClientRect().top;
      const before = gym();
      await until(() => partText(el!, 'notice') !== undefined);
      expect(gym()).to.equal(before);
      await setAdapter('powered-on');
      dispatchEvent(new Event('focus'));
      await until(() => partText(el!, 'notice') === undefined);
      expect(gym()).to.equal(before);
    });
  });

  it('says before this device’s first chooser that the phone will list nearby locks, and names the door a closed chooser was for', async () => {
    localStorage.removeItem('instant-key:chooser-seen');
    const key = mintKey([{ name: 'Elevator A', kind: 'elevator' }]);
    await addLock(key.locks[0]!);
    await setChooser({ action: 'cancel' });
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    await settled(el);
    expect(partText(el, 'hint')).to.equal('When you tap Unlock, your phone lists the locks nearby: pick the one in front of you.');
    await expectAxeClean(el);

    await tap(button(el, /Unlock Elevator A/));
    await until(() => partText(el!, 'notice') !== undefined);
    expect(partText(el, 'notice')).to.match(/^No lock was chosen for Elevator A\. If your phone listed none, stand next to it/);
    expect(partText(el, 'hint'), 'the line stays while the page is open: nothing moves').to.not.equal(undefined);

    el.remove();
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    await settled(el);
    expect(partText(el, 'hint')).to.equal(undefined);
  });

  it('shows the stay in the property’s time zone, named when the phone’s clock differs', async () => {
    const key = mintKey();
    Object.assign(key.response.instant_key, { check_in_at: '2026-12-01T15:00:00Z', check_out_at: '2026-12-04T11:00:00Z', time_zone: 'Pacific/Kiritimati' });
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    await settled(el);
    // UTC+14 everywhere this test runs: 15:00Z is 05:00 the next day there.
    expect(partText(el, 'header')).to.match(/Check-in: Dec 2, 2026, 5:00\sAM GMT\+14/).and.match(/Check-out: Dec 5, 2026, 1:00\sAM GMT\+14/);
  });

  it('says an amenity is closed outside its hours, and still lets the guest try', async () => {
    const key = mintKey([{ name: 'Pool', kind: 'amenity' }]);
    const hour = new Date().getUTCHours();
    const closed = `${String((hour + 2) % 24).padStart(2, '0')}:00-${String((hour + 3) % 24).padStart(2, '0')}:00`;
    Object.assign(key.response.credentials[0]!.entrance, { hours: closed, location: 'Level 2, east wing' });
    key.response.instant_key.time_zone = 'UTC';
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    await settled(el);
    expect(partText(el, 'entrance')).to.include('Closed now').and.include('Level 2, east wing').and.include(closed.replace('-', '–'));
    expect(button(el, /Unlock Pool/).getAttribute('aria-disabled')).to.equal('false');
    await expectAxeClean(el);
  });

  describe('layout', () => {
    it('holds its space while loading: the page below does not shift when the key shows', async () => {
      const key = mintKey();
      let answer!: (response: CredentialsResponse) => void;
      const shifts: number[] = [];
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number }>) shifts.push(entry.value);
      });
      observer.observe({ type: 'layout-shift' });
      el = mountKey(() => new Promise((resolve) => (answer = resolve)));
      const below = Object.assign(document.createElement('p'), { id: 'below', textContent: 'Booking details' });
      document.body.append(below);
      await settled(el);
      await new Promise(requestAnimationFrame);
      const top = below.getBoundingClientRect().top;

      answer(key.response);
      await stateBecomes(el, 'ready');
      await settled(el);
      await new Promise(requestAnimationFrame);
      await new Promise(requestAnimationFrame);
      observer.disconnect();
      expect(below.getBoundingClientRect().top).to.equal(top);
      expect(shifts).to.deep.equal([]);
    });

    it('pins light colours on a dark phone with color-scheme="light"', async () => {
      await emulateMedia({ colorScheme: 'dark' });
      try {
        const key = mintKey();
        el = mountKey(async () => key.response);
        await stateBecomes(el, 'ready');
        const surface = () => getComputedStyle(shadow(el!).querySelector('[part~="base"]')!).backgroundColor;
        expect(surface()).to.equal('rgb(17, 24, 39)');
        el.setAttribute('color-scheme', 'light');
        await settled(el);
        expect(surface()).to.equal('rgb(255, 255, 255)');
      } finally {
        await emulateMedia({ colorScheme: 'light' });
      }
    });
  });

  describe('console hints', () => {
    it('names CORS when a cross-origin endpoint refuses the page', async () => {
      warned = recordWarnings();
      // The same test server under its other name: another origin, which sends no CORS headers.
      const other = new URL(location.href);
      other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
      el = document.createElement('instant-key') as InstantKeyElement;
      el.token = TEST_TOKEN;
      el.endpoint = other.origin;
      document.body.append(el);
      await stateBecomes(el, 'error');
      expect(warned.warnings.some((w) => w.startsWith('[instant-key]') && w.includes('CORS') && w.includes(`add ${location.origin} to the server's ALLOWED_ORIGINS`))).to.equal(
        true,
        warned.warnings.join('\n'),
      );
      expect(partText(el, 'message')).to.match(/not answering/);
    });

    it('names a missing token', async () => {
      warned = recordWarnings();
      el = document.createElement('instant-key') as InstantKeyElement;
      document.body.append(el);
      await stateBecomes(el, 'error');
      expect(warned.warnings.some((w) => w.startsWith('[instant-key] No link token'))).to.equal(true, warned.warnings.join('\n'));
    });

    it('lists the valid codes for an unknown preview code, and a changed preview takes effect', async () => {
      warned = recordWarnings();
      el = document.createElement('instant-key') as InstantKeyElement;
      el.setAttribute('preview', 'lock_jamed');
      document.body.append(el);
      await stateBecomes(el, 'ready');
      expect(warned.warnings.some((w) => w.includes('preview="lock_jamed" is not a known code') && w.includes('lock_jammed'))).to.equal(true, warned.warnings.join('\n'));

      el.setAttribute('preview', 'link_revoked');
      await stateBecomes(el, 'revoked');
    });

    it('shows the share button and a stripe in the preview, as the live key does', async () => {
      el = document.createElement('instant-key') as InstantKeyElement;
      el.setAttribute('preview', '');
      document.body.append(el);
      await stateBecomes(el, 'ready');
      button(el, /Share key/);
      expect(getComputedStyle(shadow(el).querySelector('[part~="base"]')!).borderTopWidth).to.equal('4px');
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

describe('the accent stripe', () => {
  /** WCAG contrast of two computed `rgb(…)` colours. */
  function contrast(a: string, b: string): number {
    const lum = (rgb: string) => {
      const [r, g, b2] = rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => Number(v) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b2!;
    };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  }

  it('stays visible on a light card when the issuer only gave a pale secondary colour', async () => {
    const key = mintKey();
    key.response.instant_key.customization = { secondary_color: '#f1faee' };
    const el = mountKey(async () => key.response, { 'color-scheme': 'light' });
    try {
      await stateBecomes(el, 'ready');
      const base = getComputedStyle(shadow(el).querySelector('.base')!);
      expect(contrast(base.borderTopColor, base.backgroundColor)).to.be.at.least(3);
    } finally {
      el.remove();
    }
  });

  it("takes the issuer's accent colour when it gave one", async () => {
    const key = mintKey();
    key.response.instant_key.customization = { secondary_color: '#f1faee', accent_color: '#b45309' };
    const el = mountKey(async () => key.response, { 'color-scheme': 'light' });
    try {
      await stateBecomes(el, 'ready');
      expect(getComputedStyle(shadow(el).querySelector('.base')!).borderTopColor).to.equal('rgb(180, 83, 9)');
    } finally {
      el.remove();
    }
  });
});
