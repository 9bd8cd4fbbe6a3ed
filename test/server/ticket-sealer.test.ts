import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openTicket, sealTicket } from '../../src/protocol/ticket.ts';
import type { TicketContents } from '../../src/protocol/ticket.ts';
import { TicketSealer } from '../../server-stub/ticket-sealer.ts';

/** One ticket from a sealer made for it. */
const sealOnce = (lockKey: Uint8Array, t: TicketContents, nonce: Uint8Array) =>
  new Uint8Array(new TicketSealer(lockKey, t.lockId, t.credentialId).seal(t.notBefore, t.notAfter, t.credentialKey, t.permissions, nonce));

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const contents = fc.record({
  lockId: fc.uuid(),
  credentialId: fc.uuid(),
  notBefore: fc.nat({ max: 0xffffffff }),
  notAfter: fc.nat({ max: 0xffffffff }),
  credentialKey: bytes(32),
  permissions: fc.integer({ min: 0, max: 255 }),
});

test('seals byte for byte what the protocol library seals, and the lock opens it', () => {
  fc.assert(
    fc.property(bytes(32), contents, bytes(24), (lockKey, t, nonce) => {
      const fast = sealOnce(lockKey, t, nonce);
      assert.deepEqual(fast, sealTicket(lockKey, t, nonce));
      const opened = openTicket(lockKey, fast);
      assert.ok(opened.ok);
      assert.deepEqual(opened.ticket, { ...t, lockId: t.lockId.toLowerCase(), credentialId: t.credentialId.toLowerCase() });
    }),
    { numRuns: 200 },
  );
});

test('refuses the inputs the protocol library refuses', () => {
  const t = { lockId: crypto.randomUUID(), credentialId: crypto.randomUUID(), notBefore: 1, notAfter: 2, credentialKey: new Uint8Array(32), permissions: 1 };
  const key = new Uint8Array(32);
  const nonce = new Uint8Array(24);
  assert.throws(() => sealOnce(new Uint8Array(31), t, nonce), RangeError);
  assert.throws(() => sealOnce(key, { ...t, credentialKey: new Uint8Array(16) }, nonce), RangeError);
  assert.throws(() => sealOnce(key, t, new Uint8Array(12)), RangeError);
  assert.throws(() => sealOnce(key, { ...t, permissions: 256 }, nonce), RangeError);
});

test('a sealer made once per credential seals each window and key on its own', () => {
  const window = fc.record({ notBefore: fc.nat({ max: 0xffffffff }), notAfter: fc.nat({ max: 0xffffffff }), credentialKey: bytes(32), nonce: bytes(24) });
  fc.assert(
    fc.property(bytes(32), fc.uuid(), fc.uuid(), fc.array(window, { minLength: 2, maxLength: 5 }), (lockKey, lockId, credentialId, seals) => {
      const sealer = new TicketSealer(lockKey, lockId, credentialId);
      for (const { notBefore, notAfter, credentialKey, nonce } of seals) {
        const t = { lockId, credentialId, notBefore, notAfter, credentialKey, permissions: 1 };
        assert.deepEqual(new Uint8Array(sealer.seal(notBefore, notAfter, credentialKey, 1, nonce)), sealTicket(lockKey, t, nonce));
      }
    }),
    { numRuns: 100 },
  );
});

test('refuses a window that is not a u32 like the protocol library', () => {
  const sealer = new TicketSealer(new Uint8Array(32), crypto.randomUUID(), crypto.randomUUID());
  for (const [notBefore, notAfter] of [[-1, 2], [1, 2 ** 32], [Number.NaN, 2], [1, 2.5]]) {
    assert.throws(() => sealer.seal(notBefore!, notAfter!, new Uint8Array(32), 1, new Uint8Array(24)), RangeError);
    const t = { lockId: crypto.randomUUID(), credentialId: crypto.randomUUID(), notBefore: notBefore!, notAfter: notAfter!, credentialKey: new Uint8Array(32), permissions: 1 };
    assert.throws(() => sealTicket(new Uint8Array(32), t, new Uint8Array(24)), RangeError);
  }
});
