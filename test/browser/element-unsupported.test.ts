/// <reference types="mocha" />
// What cannot work here is detected up front and explained: no Web Bluetooth, Bluetooth denied
// to the frame by its embedder, and no Bluetooth adapter. The first two never call the
// credential endpoint (a call would spend one of the key's devices).
import { expect } from '@esm-bundle/chai';
import { startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import {
  button,
  expectAxeClean,
  liveRegions,
  partText,
  recordEvents,
  settled,
  shadow,
  stateBecomes,
  tap,
  TEST_TOKEN,
  type InstantKeyElement,
} from './support/element.ts';
import { mintKey } from './support/key-fixture.ts';

/** Scripts the credential endpoint and counts the guest's calls to it. */
function countingResolver(answer: () => Promise<unknown> = () => new Promise(() => {})) {
  const counter = { calls: 0, resolver: () => (counter.calls++, answer()) };
  return counter;
}

function mount(doc: Document, resolver: () => Promise<unknown>): InstantKeyElement {
  const el = doc.createElement('instant-key') as InstantKeyElement;
  el.resolver = resolver as InstantKeyElement['resolver'];
  el.token = TEST_TOKEN;
  return el;
}

/**
 * A same-origin frame whose embedder denies it Bluetooth (`allow="bluetooth 'none'"`), with
 * its own copy of the element and of axe (custom elements and axe belong to one window).
 */
async function deniedFrame(): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  frame.allow = "bluetooth 'none'";
  frame.srcdoc = `<!doctype html><html lang="en"><head>
    <script>globalThis.process = { env: { NODE_ENV: 'development' } };</script>
    <script src="${new URL('../../node_modules/axe-core/axe.min.js', import.meta.url).href}"></script>
    <script type="module" src="${new URL('../../src/define.ts', import.meta.url).href}"></script>
    </head><body></body></html>`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  await frame.contentWindow!.customElements.whenDefined('instant-key');
  return frame;
}

async function expectAxeCleanIn(win: Window, el: InstantKeyElement): Promise<void> {
  await settled(el);
  const axe = (win as unknown as { axe: { run(context: unknown): Promise<{ violations: Array<{ id: string }> }> } }).axe;
  const { violations } = await axe.run(el);
  expect(violations.map((v) => v.id)).to.deep.equal([]);
}

describe('<instant-key> where doors cannot be opened', () => {
  let cleanup: Array<() => void> = [];

  beforeEach(() => {
    cleanup = [];
  });

  afterEach(async () => {
    for (const undo of cleanup.reverse()) undo();
    await stopBluetooth();
  });

  it('a browser without Web Bluetooth is told which browsers work, offered the link to share, and the endpoint is never called', async () => {
    await startBluetooth();
    // An own property shadows Chromium's getter on Navigator.prototype, as Safari and Firefox lack it.
    Object.defineProperty(navigator, 'bluetooth', { value: undefined, configurable: true });
    cleanup.push(() => delete (navigator as { bluetooth?: unknown }).bluetooth);
    const endpoint = countingResolver();
    const el = mount(document, endpoint.resolver);
    cleanup.push(() => el.remove());
    const events = recordEvents(el);
    document.body.append(el);

    await stateBecomes(el, 'unsupported');
    await settled(el);

    expect(events).to.deep.equal([{ type: 'ik-unsupported', detail: { reason: 'no_bluetooth' } }]);
    expect(endpoint.calls).to.equal(0);
    expect(shadow(el).querySelector('[part~="message"]')?.getAttribute('data-code')).to.equal('no_bluetooth');
    expect(partText(el, 'message')).to.match(/^This browser cannot open doors /).and.match(/Chrome, Edge or Samsung Internet on Android/).and.match(/Send this link to such a phone\.$/);
    expect(liveRegions(el).assertive).to.equal('This browser cannot open doors');
    button(el, /Share key/);
    await expectAxeClean(el);
  });

  it('inside an iframe that denies Bluetooth, it says to add allow="bluetooth", and the endpoint is never called', async () => {
    await startBluetooth();
    const frame = await deniedFrame();
    cleanup.push(() => frame.remove());
    const win = frame.contentWindow! as Window & typeof globalThis;
    expect(win.navigator.bluetooth, 'the API itself is there; only the policy denies it').to.not.equal(undefined);
    const warnings: unknown[][] = [];
    win.console.warn = (...args: unknown[]) => void warnings.push(args);
    const endpoint = countingResolver();
    const el = mount(frame.contentDocument!, endpoint.resolver);
    const events = recordEvents(el);
    frame.contentDocument!.body.append(el);

    await stateBecomes(el, 'unsupported');
    await settled(el);

    expect(events).to.deep.equal([{ type: 'ik-unsupported', detail: { reason: 'blocked_by_policy' } }]);
    expect(endpoint.calls).to.equal(0);
    expect(partText(el, 'message')).to.match(/This page does not let the key use Bluetooth\. Open your key link directly\./).and.include('add allow="bluetooth" to the iframe');
    expect(String(warnings[0]?.[0])).to.include('add allow="bluetooth"');
    await expectAxeCleanIn(win, el);
  });

  it('with no Bluetooth adapter, the key is ready with a "turn on Bluetooth" notice, and an unlock that then fails is an error', async () => {
    await startBluetooth({ adapter: 'absent' });
    const key = mintKey();
    const endpoint = countingResolver(async () => key.response);
    const el = mount(document, endpoint.resolver);
    cleanup.push(() => el.remove());
    const events = recordEvents(el);
    document.body.append(el);

    await stateBecomes(el, 'ready');
    await until(() => shadow(el).querySelector('[part~="notice"]') !== null);
    await settled(el);

    expect(shadow(el).querySelector('[part~="notice"]')?.getAttribute('data-code')).to.equal('ble_unavailable');
    expect(partText(el, 'notice')).to.equal('Turn on Bluetooth to unlock your doors.');
    expect(liveRegions(el)).to.deep.equal({ polite: 'Turn on Bluetooth to unlock your doors.', assertive: '' });
    expect(endpoint.calls).to.equal(1);
    await expectAxeClean(el);

    await tap(button(el, /Unlock Room 412/));
    await until(() => events.some((e) => e.type === 'ik-error'));
    await settled(el);
    expect(events.at(-1)).to.deep.include({ type: 'ik-error' });
    expect(events.at(-1)!.detail.code).to.equal('ble_unavailable');
    // api.md: the notice becomes an error once an unlock fails for it.
    expect(el.getAttribute('state')).to.equal('error');
    expect(shadow(el).querySelector('[part~="message"]')?.getAttribute('data-code')).to.equal('ble_unavailable');
    expect(partText(el, 'message')).to.contain('Bluetooth is off or not allowed. Turn it on and try again.');
    await expectAxeClean(el);
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
