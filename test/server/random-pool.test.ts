import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RandomPool } from '../../server-stub/random-pool.ts';

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
