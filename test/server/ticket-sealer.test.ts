import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { openTicket, sealTicket } from '../../src/protocol/ticket.ts';
import { sealTicketFast, TicketSealer } from '../../server-stub/ticket-sealer.ts';

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
      const fast = sealTicketFast(lockKey, t, nonce);
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
  assert.throws(() => sealTicketFast(new Uint8Array(31), t, nonce), RangeError);
  assert.throws(() => sealTicketFast(key, { ...t, credentialKey: new Uint8Array(16) }, nonce), RangeError);
  assert.throws(() => sealTicketFast(key, t, new Uint8Array(12)), RangeError);
  assert.throws(() => sealTicketFast(key, { ...t, permissions: 256 }, nonce), RangeError);
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

test('refuses a window outside u32 like the protocol library', () => {
  const sealer = new TicketSealer(new Uint8Array(32), crypto.randomUUID(), crypto.randomUUID());
  assert.throws(() => sealer.seal(-1, 2, new Uint8Array(32), 1, new Uint8Array(24)), RangeError);
  assert.throws(() => sealer.seal(1, 2 ** 32, new Uint8Array(32), 1, new Uint8Array(24)), RangeError);
});
