// Where a phone that cannot open doors sends the guest: the platform from the user agent, and
// links that carry the Instant Key URL on with its token only ever in a fragment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { chromeIntentUrl, handoffPlatform, iosAppLink } from '../../src/handoff.ts';

const UA = {
  androidWebView: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36',
  instagram: 'Mozilla/5.0 (Linux; Android 13; SM-S911B; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36 Instagram 312.1.0.34.111 Android',
  firefoxAndroid: 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  ipadDesktopMode: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  macFirefox: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
};

/**
 * The data URI Android hands the target app for an `intent:` URL, as AOSP's
 * `Intent.parseUri(uri, URI_INTENT_SCHEME)` finds it: everything before the last `#`, which
 * must open the `#Intent;…;end` section, with `intent:` replaced by the `scheme=` given there.
 */
function androidIntentData(uri: string): { data: string; extras: Record<string, string> } {
  const i = uri.lastIndexOf('#');
  assert.ok(uri.startsWith('#Intent;', i), 'the last # opens the Intent section');
  assert.ok(uri.endsWith(';end'));
  const extras = Object.fromEntries(
    uri
      .slice(i + '#Intent;'.length, -';end'.length)
      .split(';')
      .map((pair) => pair.split('=') as [string, string]),
  );
  let data = uri.slice(0, i);
  if (data.startsWith('intent:')) data = `${extras.scheme}:${data.slice('intent:'.length)}`;
  return { data, extras };
}

describe('handoffPlatform', () => {
  test('Android WebViews, in-app browsers and other Android browsers are android', () => {
    for (const ua of [UA.androidWebView, UA.instagram, UA.firefoxAndroid]) assert.equal(handoffPlatform(ua), 'android');
  });
  test('iPhone, and an iPad asking for the desktop site (a Mac with touch), are ios', () => {
    assert.equal(handoffPlatform(UA.iphoneSafari), 'ios');
    assert.equal(handoffPlatform(UA.ipadDesktopMode, 5), 'ios');
  });
  test('a Mac without touch is a computer', () => {
    assert.equal(handoffPlatform(UA.ipadDesktopMode, 0), 'desktop');
    assert.equal(handoffPlatform(UA.macFirefox), 'desktop');
  });
});

describe('chromeIntentUrl', () => {
  const keyUrl = 'https://keys.hotel.example/k#ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

  test('hands Chrome the https key URL with its fragment, as Android parses intent URLs', () => {
    const intent = chromeIntentUrl(keyUrl)!;
    assert.equal(intent, 'intent://keys.hotel.example/k#ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA#Intent;scheme=https;package=com.android.chrome;end');
    assert.deepEqual(androidIntentData(intent), { data: keyUrl, extras: { scheme: 'https', package: 'com.android.chrome' } });
  });

  test('keeps a port, a path and a query', () => {
    const url = 'https://127.0.0.1:8443/stay/k?hotel=7#ik_BBBB';
    assert.equal(androidIntentData(chromeIntentUrl(url)!).data, url);
  });

  test('the token never leaves the fragment, for any token', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^ik_[A-Za-z0-9_-]{10,60}$/), (token) => {
        const { data } = androidIntentData(chromeIntentUrl(`https://keys.example/k#${token}`)!);
        const parsed = new URL(data);
        assert.equal(parsed.hash, `#${token}`);
        assert.ok(!parsed.pathname.includes(token) && !parsed.search.includes(token));
      }),
    );
  });

  test('refuses anything but https', () => {
    assert.equal(chromeIntentUrl('http://keys.example/k#ik_x'), undefined);
    assert.equal(chromeIntentUrl('javascript:alert(1)'), undefined);
    assert.equal(chromeIntentUrl('not a url'), undefined);
  });
});

describe('iosAppLink', () => {
  const keyUrl = 'https://keys.example/k#ik_CCCC';

  test('carries the key URL, percent-encoded, in the app link fragment', () => {
    const link = iosAppLink('https://appclip.hotel.example/key?src=web', keyUrl)!;
    assert.equal(link, 'https://appclip.hotel.example/key?src=web#https%3A%2F%2Fkeys.example%2Fk%23ik_CCCC');
    assert.equal(decodeURIComponent(new URL(link).hash.slice(1)), keyUrl);
  });

  test('replaces any fragment the configured link had', () => {
    assert.equal(new URL(iosAppLink('https://app.example/open#old', keyUrl)!).hash, `#${encodeURIComponent(keyUrl)}`);
  });

  test('refuses links that are not https, or missing', () => {
    for (const bad of ['http://app.example/', 'hotelapp://open', 'javascript:alert(1)', '', null, undefined]) {
      assert.equal(iosAppLink(bad, keyUrl), undefined, String(bad));
    }
  });
});
