// The key page derives its colours from the issuer's two brand colours, whatever they are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Brand } from '../../server-stub/config.ts';
import { contrast, withContrast } from '../../server-stub/key-page/colors.ts';
import { pageColors } from '../../server-stub/key-page/html.ts';
import { negotiateEncoding } from '../../server-stub/element-files.ts';
import { negotiatePageLocale } from '../../server-stub/key-page/locale.ts';

const hex = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map((rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`);

test('any brand gives a stripe of at least 3:1 and text of at least 4.5:1 on the page, light and dark', () => {
  fc.assert(
    fc.property(hex, hex, (primary, secondary) => {
      const colors = pageColors({ primary_color: primary, secondary_color: secondary, logo_url: null } as Brand);
      for (const scheme of [colors.light, colors.dark]) {
        assert.ok(contrast(scheme.stripe, scheme.bg) >= 3, `${scheme.stripe} on ${scheme.bg}`);
        assert.ok(contrast(scheme.text, scheme.bg) >= 4.5, `${scheme.text} on ${scheme.bg}`);
      }
    }),
  );
});

test('a colour that already has the contrast is kept as it is', () => {
  fc.assert(
    fc.property(hex, hex, (color, background) => {
      fc.pre(contrast(color, background) >= 3);
      assert.equal(withContrast(color, [background], 3), color);
    }),
  );
});

test('Accept-Encoding: brotli first, gzip next, q=0 refuses, * stands for the rest', () => {
  assert.equal(negotiateEncoding('gzip, deflate, br'), 'br');
  assert.equal(negotiateEncoding('gzip'), 'gzip');
  assert.equal(negotiateEncoding('br;q=0.5, gzip;q=0.9'), 'gzip');
  assert.equal(negotiateEncoding('br;q=0, *'), 'gzip');
  assert.equal(negotiateEncoding('identity'), 'identity');
  assert.equal(negotiateEncoding(undefined), 'identity');
  assert.equal(negotiateEncoding('*;q=0'), 'identity');
});

test('Accept-Language: by q, then order; unknown languages fall through; nonsense is never echoed', () => {
  assert.deepEqual(negotiatePageLocale('fr;q=0.4, de-CH;q=0.8'), { tag: 'de-CH', language: 'de', dir: 'ltr' });
  assert.deepEqual(negotiatePageLocale('ar'), { tag: 'ar', language: 'ar', dir: 'rtl' });
  assert.deepEqual(negotiatePageLocale('zz-ZZ, *'), { tag: 'en', language: 'en', dir: 'ltr' });
  fc.assert(
    fc.property(fc.string(), (header) => {
      const { tag } = negotiatePageLocale(header);
      assert.match(tag, /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i);
    }),
  );
});
