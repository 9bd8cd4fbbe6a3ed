// Pure pieces of the guest experience: the locale catalogs, refresh timing, the nearby-lock
// memory, sharing links and the stale-but-usable key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NearbyLocks, IN_RANGE_MS } from '../../src/ble/nearby.ts';
import { validateCredentialsResponse } from '../../src/credentials/validate.ts';
import { en as entryEnglish } from '../../src/i18n/en.ts';
import { enUnlock } from '../../src/i18n/en-unlock.ts';
import { dirOf } from '../../src/i18n/index.ts';
import { instantKeyUrl, shareLinks } from '../../src/share.ts';
import { createKeyStore, keyLoaded, keyRefreshFailed, MIN_REFRESH_MS, refreshDelayMs, ticketsHalfLife } from '../../src/state/index.ts';
import { responseBody } from './support/credentials-fixture.ts';

/** All of English: the entry's messages and those that load with the key's view. */
const en: Record<string, string> = { ...entryEnglish, ...enUnlock };

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locale catalogs', () => {
  for (const lang of ['es', 'fr', 'de', 'ja', 'ar']) {
    test(`${lang} translates every English message with the same placeholders`, async () => {
      const catalog: Record<string, string> = (await import(`../../src/i18n/locales/${lang}.ts`)).default;
      assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) assert.deepEqual(placeholders(catalog[key]!), placeholders(text), key);
    });
  }
  test('Arabic is laid out right to left, the others left to right', () => {
    assert.equal(dirOf('ar'), 'rtl');
    assert.equal(dirOf('ja'), 'ltr');
  });
});

describe('refreshDelayMs', () => {
  const data = () => validateCredentialsResponse(responseBody());
  test('is refresh_after_s when nothing comes sooner', () => {
    const d = data();
    const now = Date.parse(d.credentials[0]!.ticket_expires_at) - 3_600_000;
    d.refresh_after_s = 60;
    assert.equal(refreshDelayMs(d, now, now), 60_000);
  });
  test('comes at half the ticket life when that is sooner', () => {
    const d = data();
    const expires = Date.parse(d.credentials[0]!.ticket_expires_at);
    const loadedAt = expires - 200_000;
    d.refresh_after_s = 3600;
    assert.equal(ticketsHalfLife(d, loadedAt), expires - 100_000);
    assert.equal(refreshDelayMs(d, loadedAt, loadedAt), 100_000);
  });
  test('never hammers the server', () => {
    const d = data();
    const loadedAt = Date.parse(d.credentials[0]!.ticket_expires_at) - 1000;
    assert.equal(refreshDelayMs(d, loadedAt, loadedAt), MIN_REFRESH_MS);
  });
});

describe('keyRefreshFailed', () => {
  const data = validateCredentialsResponse(responseBody());
  test('keeps the last credentials, marked stale, when the network fails', () => {
    const $key = createKeyStore();
    keyLoaded($key, data);
    keyRefreshFailed($key, 'network_offline', 'offline');
    assert.deepEqual($key.get(), { status: 'loaded', data, stale: 'network_offline' });
  });
  test('replaces them when the link itself is refused', () => {
    const $key = createKeyStore();
    keyLoaded($key, data);
    keyRefreshFailed($key, 'link_revoked', 'revoked');
    assert.equal($key.get().status, 'failed');
  });
});

describe('sharing', () => {
  test('shares the Instant Key URL, not the page, keeping the endpoint\'s path as the server does', () => {
    assert.equal(instantKeyUrl('ik_abc', 'https://issuer.example/api'), 'https://issuer.example/api/k#ik_abc');
    assert.equal(instantKeyUrl('ik_abc', 'https://keys.example/api/'), 'https://keys.example/api/k#ik_abc');
    assert.equal(instantKeyUrl('ik_abc', 'https://keys.example'), 'https://keys.example/k#ik_abc');
    assert.equal(instantKeyUrl('ik_abc', 'https://keys.example/?x=1#y'), 'https://keys.example/k#ik_abc');
  });
  test('builds SMS and email links that carry the URL', () => {
    const { sms, email } = shareLinks('https://keys.example/k#ik_abc', 'Your room key');
    assert.match(sms, /^sms:\?&body=Your%20room%20key%3A%20https%3A%2F%2Fkeys\.example%2Fk%23ik_abc$/);
    assert.match(email, /^mailto:\?subject=Your%20room%20key&body=/);
  });
});

describe('NearbyLocks', () => {
  class FakeDevice extends EventTarget {
    constructor(readonly name: string) {
      super();
    }
    watchAdvertisements = async () => undefined;
  }
  test('offers a permitted lock only while it advertises, and tells the view', async () => {
    let now = 1_000_000;
    let changes = 0;
    const device = new FakeDevice('IK-412');
    const nearby = new NearbyLocks(() => changes++, () => now);
    const bluetooth = { getDevices: async () => [device, new FakeDevice('IK-OTHER')] } as unknown as Bluetooth;
    await nearby.watch(bluetooth, ['IK-412']);
    assert.equal(nearby.inRange(['IK-412']), undefined);
    device.dispatchEvent(new Event('advertisementreceived'));
    assert.equal(nearby.inRange(['IK-412']), device);
    assert.equal(changes, 1);
    now += IN_RANGE_MS;
    assert.equal(nearby.inRange(['IK-412']), undefined);
  });
  test('does nothing where getDevices is missing', async () => {
    const nearby = new NearbyLocks(() => assert.fail('no change expected'));
    await nearby.watch({} as Bluetooth, ['IK-412']);
    assert.equal(nearby.inRange(['IK-412']), undefined);
  });
});
