import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RandomPool } from '../../server-stub/random-pool.ts';
import { uuid7 } from '../../server-stub/uuid7.ts';

test('a random pool hands out fresh bytes of the asked length, across refills', () => {
  const pool = new RandomPool();
  const seen = new Set<string>();
  // 56 bytes at a time (one credential) for several pool refills, and sizes past the pool.
  for (const length of [...Array<number>(1000).fill(56), 16 * 1024 + 1, 0]) {
    const bytes = pool.take(length);
    assert.equal(bytes.length, length);
    if (length >= 16) {
      const hex = bytes.toString('hex');
      assert.ok(!seen.has(hex), 'no bytes are handed out twice');
      seen.add(hex);
    }
  }
});

test('a random pool gives copies: changing one leaves the next draws alone', () => {
  const pool = new RandomPool();
  const first = pool.take(32);
  first.fill(0);
  assert.notDeepEqual(pool.take(32), Buffer.alloc(32));
});

test('uuid7 has the RFC 9562 layout and sorts by time', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), (ms) => {
      const [a, b] = [uuid7(ms), uuid7(ms + 1)];
      assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(Number.parseInt(a.slice(0, 8) + a.slice(9, 13), 16), ms);
      assert.ok(a < b, `${a} sorts before ${b}`);
    }),
  );
  assert.notEqual(uuid7(0), uuid7(0), 'the random part differs');
});
