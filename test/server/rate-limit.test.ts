import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addressGroup, CredentialRateLimits, RateLimiter } from '../../server-stub/rate-limit.ts';
import { API_KEY, TestServer } from './helpers.ts';

/** Eight 16-bit words written as full, compressed and zero-padded IPv6 text. */
const spellings = (words: number[]): string[] => {
  const full = words.map((w) => w.toString(16)).join(':');
  const padded = words.map((w) => w.toString(16).padStart(4, '0').toUpperCase()).join(':');
  // The longest run of zero words (at least two) becomes `::`.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const compressed =
    best.at < 0
      ? full
      : `${words.slice(0, best.at).map((w) => w.toString(16)).join(':')}::${words.slice(best.at + best.len).map((w) => w.toString(16)).join(':')}`;
  return [full, padded, compressed];
};
const word = fc.integer({ min: 0, max: 0xffff });
const ipv6Words = fc.array(fc.oneof(word, fc.constant(0)), { minLength: 8, maxLength: 8 });

describe('address groups', () => {
  test('group an IPv6 address by its /64, however it is written', () => {
    fc.assert(
      fc.property(ipv6Words, fc.array(word, { minLength: 4, maxLength: 4 }), (words, otherHost) => {
        // Not an IPv4-mapped address: those are IPv4 clients.
        fc.pre(!(words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff));
        const groups = new Set([...spellings(words), ...spellings([...words.slice(0, 4), ...otherHost])].map(addressGroup));
        assert.equal(groups.size, 1, [...groups].join(' '));
      }),
    );
  });

  test('keep different /64 networks apart', () => {
    fc.assert(
      fc.property(ipv6Words, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 0xffff }), (words, at, flip) => {
        const other = [...words];
        other[at] = words[at]! ^ flip;
        assert.notEqual(addressGroup(spellings(words)[0]!), addressGroup(spellings(other)[0]!));
      }),
    );
  });

  test('read IPv4 as is, also IPv4-mapped, and ignore a zone index', () => {
    assert.equal(addressGroup('192.0.2.7'), '192.0.2.7');
    assert.equal(addressGroup('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressGroup('::FFFF:c000:0207'), '192.0.2.7');
    assert.notEqual(addressGroup('192.0.2.7'), addressGroup('192.0.2.8'));
    assert.equal(addressGroup('fe80::1%eth0'), addressGroup('fe80::2'));
    assert.equal(addressGroup('2001:db8:a:b::1'), '2001:db8:a:b::/64');
  });
});

describe('RateLimiter', () => {
  test('check tells whether one more hit is within budget, without counting', () => {
    const limiter = new RateLimiter({ max: 2, windowMs: 10_000 });
    assert.equal(limiter.check('a', 0), 0);
    assert.equal(limiter.hit('a', 0), 0);
    assert.equal(limiter.check('a', 0), 0);
    assert.equal(limiter.check('a', 0), 0, 'checking twice spends nothing');
    assert.equal(limiter.hit('a', 1000), 0);
    assert.equal(limiter.check('a', 1000), 9);
    assert.equal(limiter.check('b', 1000), 0);
    assert.equal(limiter.check('a', 10_000), 0, 'a new window');
  });
});

describe('CredentialRateLimits', () => {
  test('whatever junk an address sends, a token from it is limited by its own count alone', () => {
    const request = fc.oneof(
      fc.constant({ kind: 'token' as const }),
      fc.constant({ kind: 'junk' as const }),
      fc.constant({ kind: 'unknown token' as const }),
    );
    fc.assert(
      fc.property(fc.array(request, { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (requests, tokenMax, junkMax) => {
        const limits = new CredentialRateLimits({ perToken: { max: tokenMax, windowMs: 60_000 }, perIp: { max: junkMax, windowMs: 60_000 } });
        let tokenUses = 0;
        let junk = 0;
        requests.forEach(({ kind }, i) => {
          if (kind === 'token') {
            tokenUses++;
            assert.equal(limits.charge('192.0.2.1', 'the-guest', i) > 0, tokenUses > tokenMax);
          } else if (kind === 'junk') {
            junk++;
            assert.equal(limits.charge('192.0.2.1', null, i) > 0, junk > junkMax);
          } else {
            limits.charge('192.0.2.1', `guess-${i}`, i); // a fresh token's own budget
            junk++;
            assert.equal(limits.chargeUnknownToken('192.0.2.1', i) > 0, junk > junkMax);
          }
        });
      }),
    );
  });
});

const token = () => `ik_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`;

describe('credential endpoint budgets', () => {
  test('junk from an address never blocks a valid token from it', async () => {
    const t = await TestServer.start({ rateLimit: { perToken: { max: 5, windowMs: 60_000 }, perIp: { max: 10, windowMs: 60_000 } } });
    try {
      const guest = await t.guest();
      const junk = [() => t.credentials(null), () => t.credentials(null, { authorization: 'Basic abc' }), () => t.credentials('not-a-token'), () => t.credentials(token())];
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push((await junk[i % junk.length]!()).status);
      assert.deepEqual(statuses.slice(0, 10), [401, 400, 401, 401, 401, 400, 401, 401, 401, 400]);
      assert.deepEqual(new Set(statuses.slice(10)), new Set([429]), 'junk, unknown tokens included, is limited per address');
      for (let i = 0; i < 5; i++) assert.equal((await t.credentials(guest.token)).status, 200);
      // The token's own budget still holds.
      assert.equal((await t.credentials(guest.token)).status, 429);
    } finally {
      await t.close();
    }
  });

  test('an IPv6 network shares one junk budget; another network has its own', async () => {
    const t = await TestServer.start({ trustProxy: 'loopback', rateLimit: { perToken: { max: 5, windowMs: 60_000 }, perIp: { max: 2, windowMs: 60_000 } } });
    try {
      const from = (ip: string) => t.credentials(null, { 'x-forwarded-for': ip });
      assert.equal((await from('2001:db8:1:2::1')).status, 401);
      assert.equal((await from('2001:db8:1:2:ffff:ffff:ffff:fffe')).status, 401);
      assert.equal((await from('2001:0DB8:0001:0002::9')).status, 429, 'one /64, one budget');
      assert.equal((await from('2001:db8:1:3::1')).status, 401, 'the next /64 is someone else');
      assert.equal((await from('198.51.100.1')).status, 401);
    } finally {
      await t.close();
    }
  });
});

describe('admin authentication', () => {
  test('throttles failures per address, and then answers 429 before looking at the key', async () => {
    const t = await TestServer.start({ trustProxy: 'loopback', rateLimit: { adminAuthFailures: { max: 3, windowMs: 60_000 } } });
    try {
      const list = (key: string, ip = '203.0.113.5') =>
        t.request('GET', '/user_identities/list', { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': ip } });
      assert.equal((await list(API_KEY)).status, 200, 'successes cost nothing');
      for (let i = 0; i < 3; i++) assert.equal((await list(`seam_guess_${i}`)).status, 401);
      const limited = await list('seam_guess_3');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.type, 'rate_limited');
      assert.equal(limited.headers.get('retry-after'), '60');
      // Even the right key: a throttled guesser must not learn which guess was right.
      assert.equal((await list(API_KEY)).status, 429);
      assert.equal((await list(API_KEY, '203.0.113.6')).status, 200, 'other addresses are not affected');
      t.clock.advance(60_000);
      assert.equal((await list(API_KEY)).status, 200, 'time heals');
    } finally {
      await t.close();
    }
  });
});
