/// <reference types="mocha" />
// `remember`: the key kept on this device. Opened from its link, the element swaps the token in
// the address bar for a local handle; reopened from that handle (a reload, a restored tab) it
// shows the saved doors at once when there is no network, or after a few seconds when the
// network hangs; it offers only tickets with time left; a key that ended says so, offline too;
// the guest can remove it. The storage dump never shows a secret.
import { expect } from '@esm-bundle/chai';
import { CredentialsError } from '../../src/credentials/errors.ts';
import type { CredentialsResponse } from '../../src/credentials/types.ts';
import { resolveEndpoint } from '../../src/credentials/http-resolver.ts';
import { forgetFragmentTokenForTests } from '../../src/link-token.ts';
import { VAULT_DB } from '../../src/vault/idb.ts';
import { Vault } from '../../src/vault/vault.ts';
import { addLock, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { button, liveRegions, recordEvents, shadow, stateBecomes, tap, type InstantKeyElement } from './support/element.ts';
import { mintKey, type DoorFixture } from './support/key-fixture.ts';
import { dumpStorage, secretsOf } from './support/storage-dump.ts';

const TOKEN = 'ik_rememberTestToken00000000000000000000';
/** What a kept key is bound to: the element's endpoint, here the page's origin. */
const SCOPE = resolveEndpoint(undefined, location.href);

type Answer = () => Promise<CredentialsResponse>;
const offline: Answer = () => Promise.reject(new CredentialsError('network_offline', 'The device is offline'));

let mounted: InstantKeyElement[] = [];

/** Opens the page as the guest would: with `fragment` in the address bar, `<instant-key remember>`. */
function open(fragment: string, answer: Answer): InstantKeyElement {
  history.replaceState(null, '', `${location.pathname}${location.search}${fragment}`);
  forgetFragmentTokenForTests();
  const el = document.createElement('instant-key') as InstantKeyElement;
  el.setAttribute('remember', '');
  el.resolver = () => answer();
  document.body.append(el);
  mounted.push(el);
  return el;
}

/** Closes the page (the element goes away, as on a reload). */
function close(el: InstantKeyElement): void {
  el.remove();
  mounted = mounted.filter((m) => m !== el);
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise(requestAnimationFrame);
  }
}

function handleInAddressBar(): string {
  const match = /^#k=([\w-]{22})$/.exec(location.hash);
  if (!match) throw new Error(`no handle in the address bar: "${location.hash}"`);
  return match[1]!;
}

const code = (el: InstantKeyElement, part: string) => shadow(el).querySelector(`[part~="${part}"]`)?.getAttribute('data-code');
const doorNames = (el: InstantKeyElement) => [...shadow(el).querySelectorAll('[part~="entrance"] .name')].map((n) => n.textContent);

/** Resolves once the vault holds the answer for `handle` (the element writes in the background). */
async function answerKept(handle: string): Promise<void> {
  const vault = (await Vault.open())!;
  const end = performance.now() + 5000;
  for (;;) {
    const entry = await vault.get(handle, SCOPE);
    if (entry?.kind === 'key' && entry.response) return;
    if (performance.now() > end) throw new Error('the answer was not kept');
    await new Promise(requestAnimationFrame);
  }
}

/** Resolves once the vault holds nothing for `handle`. */
async function gone(handle: string): Promise<void> {
  const end = performance.now() + 5000;
  while ((await dumpStorage()).includes(handle)) {
    if (performance.now() > end) throw new Error('the record is still there');
    await new Promise(requestAnimationFrame);
  }
}

/** Opens the link once online, so the key is kept; returns its handle. */
async function keepKey(response: CredentialsResponse): Promise<string> {
  const first = open(`#${TOKEN}`, async () => response);
  await stateBecomes(first, 'ready');
  await until(() => location.hash.startsWith('#k='));
  const handle = handleInAddressBar();
  await answerKept(handle);
  close(first);
  return handle;
}

describe('<instant-key remember>', () => {
  beforeEach(async () => {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(VAULT_DB);
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
  });
  afterEach(() => {
    for (const el of mounted) el.remove();
    mounted = [];
    history.replaceState(null, '', location.pathname + location.search);
  });

  it('puts a local handle in the address bar instead of the token, and keeps nothing readable', async () => {
    const { response } = mintKey([{ name: 'Room 412' }, { name: 'Pool', kind: 'amenity' }]);
    const el = open(`#${TOKEN}`, async () => response);
    await stateBecomes(el, 'ready');
    await until(() => location.hash.startsWith('#k='));
    expect(location.href).to.not.include(TOKEN);
    await answerKept(handleInAddressBar());
    const dump = await dumpStorage();
    for (const secret of secretsOf(TOKEN, response)) expect(dump, 'no token, ticket, credential key or guest name at rest').to.not.include(secret);
  });

  it('reopened from its handle with no network, shows the saved doors at once: "Offline · your key works until …"', async () => {
    const { response } = mintKey([{ name: 'Room 412' }, { name: 'Pool', kind: 'amenity' }]);
    const handle = await keepKey(response);
    const started = performance.now();
    const el = open(`#k=${handle}`, offline);
    const events = recordEvents(el);
    await stateBecomes(el, 'ready');
    expect(performance.now() - started, 'at once, not after a timeout').to.be.below(2000);
    expect(doorNames(el)).to.deep.equal(['Room 412', 'Pool']);
    expect(code(el, 'notice')).to.equal('network_offline');
    const until = new Intl.DateTimeFormat('en', { timeStyle: 'short' }).format(Date.parse(response.credentials[0]!.ticket_expires_at));
    expect(shadow(el).querySelector('[part~="notice"]')!.textContent).to.equal(`Offline · your key works until ${until}`);
    expect(liveRegions(el).polite).to.equal(`Offline · your key works until ${until}`);
    expect(events.map((e) => e.type)).to.include('ik-error');
    expect(location.hash).to.equal(`#k=${handle}`);
  });

  it('reopened from the original link finds the same key', async () => {
    const { response } = mintKey();
    const handle = await keepKey(response);
    const el = open(`#${TOKEN}`, offline);
    await stateBecomes(el, 'ready');
    expect(doorNames(el)).to.deep.equal(['Room 412']);
    await until(() => location.hash === `#k=${handle}`);
  });

  it('when the credential request hangs, shows the saved doors within a few seconds, then the fresh answer', async () => {
    const { response } = mintKey();
    const handle = await keepKey(response);
    let answer!: (value: CredentialsResponse) => void;
    const el = open(`#k=${handle}`, () => new Promise((resolve) => (answer = resolve)));
    const started = performance.now();
    await stateBecomes(el, 'ready', 6000);
    expect(performance.now() - started).to.be.within(2500, 5000);
    expect(code(el, 'notice')).to.equal('saved');
    const fresh = mintKey([{ name: 'Room 414' }]).response;
    answer(fresh);
    await until(() => doorNames(el)[0] === 'Room 414');
    expect(code(el, 'notice'), 'fresh: no longer the saved key').to.not.equal('saved');
  });

  it('unlocks a door from the saved key with no network', async () => {
    const { response, locks } = mintKey([{ name: 'Room 412' }]);
    const handle = await keepKey(response);
    await startBluetooth();
    try {
      const lock = await addLock(locks[0]!);
      const el = open(`#k=${handle}`, offline);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'unlocked');
      expect((await lock.report()).unlockCount).to.equal(1);
    } finally {
      await stopBluetooth();
    }
  });

  it('offers only tickets with time left, warns shortly before, and after expiry says "Connect to renew" with the doors dimmed, no "Update key"', async () => {
    const doors: DoorFixture[] = [
      { name: 'Room 412', window: { fromS: -60, toS: 120 } },
      { name: 'Pool', kind: 'amenity', window: { fromS: -3600, toS: -10 } },
    ];
    const { response } = mintKey(doors);
    const handle = await keepKey(response);
    const el = open(`#k=${handle}`, offline);
    await stateBecomes(el, 'ready');
    expect(code(el, 'notice'), 'two minutes left: the warning').to.equal('ending');
    const pool = shadow(el).querySelector('[part~="entrance"][data-expired="true"] .name');
    expect(pool?.textContent, 'the Pool ticket ran out: dimmed').to.equal('Pool');
    expect(button(el, /Unlock Pool/).getAttribute('aria-disabled')).to.equal('true');
    expect(shadow(el).querySelector('[part~="nearby-button"]'), 'one door left to offer').to.equal(null);
    close(el);

    const expired = mintKey([{ name: 'Room 412', window: { fromS: -3600, toS: -5 } }]).response;
    const again = await keepKey(expired);
    const later = open(`#k=${again}`, offline);
    await until(() => code(later, 'message') === 'renew');
    expect(shadow(later).querySelector('[part~="message"] h2')!.textContent).to.equal('Connect to renew');
    expect(shadow(later).querySelector('[part~="refresh-button"]')).to.equal(null);
    expect(button(later, /Unlock Room 412/).getAttribute('aria-disabled')).to.equal('true');
    await tap(button(later, /Unlock Room 412/));
    expect(later.getAttribute('state'), 'a dimmed door does not start an unlock').to.equal('ready');
  });

  it('a lock that finds the ticket out of date while offline asks to connect, with no "Update key" loop', async () => {
    const { response, locks } = mintKey([{ name: 'Room 412', window: { fromS: -60, toS: 3600 } }]);
    const handle = await keepKey(response);
    await startBluetooth();
    try {
      // The lock's clock is two hours ahead: it answers EXPIRED to a ticket the phone thinks fresh.
      await addLock({ ...locks[0]!, faults: { clockOffsetS: 7200 } });
      const el = open(`#k=${handle}`, offline);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Unlock Room 412/));
      await stateBecomes(el, 'error');
      expect(code(el, 'message')).to.equal('lock_expired');
      expect(shadow(el).querySelector('[part~="message"] p')!.textContent).to.equal('Your saved key has run out. Connect to the internet and it renews itself.');
      expect(shadow(el).querySelector('[part~="refresh-button"]'), 'no Update key while offline').to.equal(null);
    } finally {
      await stopBluetooth();
    }
  });

  it('a revoked key leaves a marker: reopened offline, from its handle or its link, it says withdrawn, not the doors', async () => {
    const { response } = mintKey();
    const handle = await keepKey(response);
    const revoked = open(`#k=${handle}`, () => Promise.reject(new CredentialsError('link_revoked', 'revoked')));
    await stateBecomes(revoked, 'revoked');
    close(revoked);
    const vault = (await Vault.open())!;
    await until(() => true);
    expect(await vault.get(handle, SCOPE)).to.include({ kind: 'ended', code: 'link_revoked' });
    for (const fragment of [`#k=${handle}`, `#${TOKEN}`]) {
      const el = open(fragment, offline);
      await stateBecomes(el, 'revoked');
      expect(code(el, 'message')).to.equal('link_revoked');
      expect(doorNames(el)).to.deep.equal([]);
      close(el);
    }
    const dump = await dumpStorage();
    for (const secret of secretsOf(TOKEN, response)) expect(dump).to.not.include(secret);
  });

  it('"Remove this key from this phone" deletes it: the handle no longer opens it', async () => {
    const { response } = mintKey();
    const handle = await keepKey(response);
    // A powered adapter: no Bluetooth notice appears late and moves the button under the tap.
    await startBluetooth();
    try {
      const el = open(`#k=${handle}`, async () => response);
      await stateBecomes(el, 'ready');
      await tap(button(el, /Remove this key from this phone/));
      await stateBecomes(el, 'error');
      expect(code(el, 'message')).to.equal('removed');
      expect(location.hash).to.equal('');
      close(el);
    } finally {
      await stopBluetooth();
    }
    await gone(handle);
    const after = open(`#k=${handle}`, offline);
    await stateBecomes(after, 'error');
    expect(code(after, 'message')).to.equal('missing');
  });

  it('on a browser that cannot unlock, nothing is stripped or stored: the link must still travel to a phone', async () => {
    Object.defineProperty(navigator, 'bluetooth', { value: undefined, configurable: true });
    try {
      const el = open(`#${TOKEN}`, async () => mintKey().response);
      await stateBecomes(el, 'unsupported');
      expect(location.hash).to.equal(`#${TOKEN}`);
      expect((await indexedDB.databases()).map((d) => d.name)).to.not.include(VAULT_DB);
    } finally {
      delete (navigator as { bluetooth?: unknown }).bluetooth;
    }
  });

  it('without remember, nothing is kept and the address bar is cleared as before', async () => {
    history.replaceState(null, '', `${location.pathname}#${TOKEN}`);
    forgetFragmentTokenForTests();
    const el = document.createElement('instant-key') as InstantKeyElement;
    const { response } = mintKey();
    el.resolver = async () => response;
    document.body.append(el);
    mounted.push(el);
    await stateBecomes(el, 'ready');
    expect(location.hash).to.equal('');
    expect(shadow(el).querySelector('[part~="remove-button"]')).to.equal(null);
    expect((await indexedDB.databases()).map((d) => d.name)).to.not.include(VAULT_DB);
  });
});
