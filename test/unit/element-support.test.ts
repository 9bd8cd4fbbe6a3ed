// Pure pieces the element relies on: capability detection, the URL-fragment token and the
// message catalog.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { detectSupport } from '../../src/ble/capabilities.ts';
import { dateLocaleFor, formatDateTime, isMessageKey, msg, registerLocale, resolveLocale } from '../../src/i18n/index.ts';
import { claimFragmentToken, forgetFragmentTokenForTests } from '../../src/link-token.ts';

const TOKEN = 'ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

describe('detectSupport', () => {
  const bluetooth = {};
  test('supports a secure context with Web Bluetooth', () => {
    assert.deepEqual(detectSupport({ isSecureContext: true, navigator: { bluetooth } }), { supported: true });
  });
  test('refuses an insecure context first, even with Bluetooth', () => {
    assert.deepEqual(detectSupport({ isSecureContext: false, navigator: { bluetooth } }), {
      supported: false,
      reason: 'insecure_context',
    });
  });
  test('refuses a browser without navigator.bluetooth', () => {
    assert.deepEqual(detectSupport({ isSecureContext: true, navigator: {} }), { supported: false, reason: 'no_bluetooth' });
  });
  test('refuses a frame whose permissions policy denies bluetooth', () => {
    const document = { featurePolicy: { allowsFeature: (f: string) => f !== 'bluetooth' } };
    assert.deepEqual(detectSupport({ isSecureContext: true, navigator: { bluetooth }, document }), {
      supported: false,
      reason: 'blocked_by_policy',
    });
  });
});

describe('claimFragmentToken', () => {
  beforeEach(() => forgetFragmentTokenForTests());

  function page(hash: string) {
    const replaced: string[] = [];
    const loc = { hash, pathname: '/stay', search: '?booking=HA-1' };
    const hist = { state: { keep: true }, replaceState: (_d: unknown, _u: string, url?: string | URL | null) => void replaced.push(String(url)) };
    return { loc, hist, replaced };
  }

  test('takes the token and strips it, keeping path and query', () => {
    const { loc, hist, replaced } = page(`#${TOKEN}`);
    assert.equal(claimFragmentToken(loc, hist), TOKEN);
    assert.deepEqual(replaced, ['/stay?booking=HA-1']);
  });

  test('leaves other fragments alone', () => {
    const { loc, hist, replaced } = page('#stay');
    assert.equal(claimFragmentToken(loc, hist), undefined);
    assert.deepEqual(replaced, []);
  });

  test('remembers the token for a second element on the page', () => {
    const first = page(`#${TOKEN}`);
    claimFragmentToken(first.loc, first.hist);
    const later = page('');
    assert.equal(claimFragmentToken(later.loc, later.hist), TOKEN);
  });
});

describe('i18n', () => {
  test('fills placeholders', () => {
    assert.equal(msg('status.unlocked', { entrance: 'Room 412' }), 'Room 412 is unlocked.');
  });

  test('has a message for every error code, an unlock failure\'s once the key\'s view has loaded', async () => {
    assert.ok(isMessageKey('error.link_expired'));
    // Nothing here has loaded the key's view yet: its English is not in the entry.
    assert.ok(!isMessageKey('error.lock_jammed'));
    await import('../../src/view/unlock-failure.ts');
    assert.ok(isMessageKey('error.lock_jammed'));
    assert.equal(msg('error.unlockTitle', { entrance: 'Room 412' }), 'Room 412 did not unlock');
    assert.ok(!isMessageKey('error.nope'));
  });

  test('resolves a locale to the closest catalog, else English', () => {
    registerLocale('fr', { 'entrance.unlock': 'Déverrouiller' });
    assert.equal(resolveLocale('fr-CA'), 'fr');
    assert.equal(resolveLocale('de'), 'en');
    assert.equal(msg('entrance.unlock', {}, 'fr'), 'Déverrouiller');
    assert.equal(msg('action.back', {}, 'fr'), 'Back', 'a missing key falls back to English');
  });

  test('formats dates in the guest’s regional variant of the catalog language', () => {
    assert.equal(dateLocaleFor('en-GB', 'en'), 'en-GB');
    assert.equal(dateLocaleFor('de-DE', 'en'), 'en');
    assert.match(formatDateTime('2026-12-24T11:00:00Z', 'en-GB'), /24 Dec 2026/);
    assert.notEqual(formatDateTime('2026-12-24T11:00:00Z', 'not a locale!!'), '', 'a bad tag does not throw');
  });
});
