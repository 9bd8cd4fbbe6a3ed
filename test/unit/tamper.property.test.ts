/**
 * Tampering: any single-bit change to any authenticated message or lock update is rejected.
 * Each construction is checked exhaustively on the vectors, bit by bit, and then as a property
 * over 10,000 seeded cases of fresh random keys, ids, nonces and bit positions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToUuid, hexToBytes } from '../../src/protocol/bytes.ts';
import { judgeLockUpdate, openLockUpdate, sealLockUpdate } from '../../src/protocol/lock-update.ts';
import {
  authenticateResult,
  encodeHello,
  encodeInfo,
  encodeUnlock,
  openUnlock,
  parseReply,
  sealResult,
  type SessionBinding,
} from '../../src/protocol/messages.ts';
import { unlockWithTransport } from '../../src/protocol/session.ts';
import { openTicket, sealTicket } from '../../src/protocol/ticket.ts';
import { VirtualLock } from '../../src/testing/virtual-lock.ts';
import {
  credential,
  flipBit,
  INSIDE_WINDOW_MS,
  LOCK_ID,
  lockKey,
  lockVectorRandom,
  PHONE_NONCE,
  phoneVectorRandom,
  vectors,
} from './support/fixtures.ts';
import { seeded } from './support/property.ts';
import { ScriptedTransport } from './support/scripted-transport.ts';

const RUNS = 10_000;
const ticket = hexToBytes(vectors.ticket);
const unlock = hexToBytes(vectors.unlock);
const challenge = hexToBytes(vectors.challenge);
const resultOk = hexToBytes(vectors.result_ok);
const resultExpired = hexToBytes(vectors.result_expired_before_challenge);
const resultRevoked = hexToBytes(vectors.result_revoked_by_update);
const lockUpdate = hexToBytes(vectors.lock_update);

/** A lock that has just sent the vectors' CHALLENGE for the vectors' HELLO. */
function challengedLock(): VirtualLock {
  const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS, randomBytes: lockVectorRandom() });
  assert.equal(parseReply(lock.exchange(hexToBytes(vectors.hello))).type, 'challenge');
  return lock;
}

/** The phone's verdict on `reads` as the lock's replies (frames at max_frame 512), with the vectors' phone nonce. */
function clientVerdict(reads: Uint8Array[]) {
  const transport = new ScriptedTransport({ info: encodeInfo(LOCK_ID, 512, 0), reads: reads.map((m) => Uint8Array.of(0x80, ...m)) });
  return unlockWithTransport(transport, [credential()], { pollIntervalMs: 0, randomBytes: phoneVectorRandom() });
}

const bits = (bytes: Uint8Array) => Array.from({ length: bytes.length * 8 }, (_, bit) => bit);

/** A fresh random session: keys, ids and nonces, and the phone's binding for it. */
const sessionArb = fc
  .record({
    lockKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    credentialKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    lockId: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(bytesToUuid),
    credentialId: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(bytesToUuid),
    phoneNonce: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    lockNonce: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    nonce: fc.uint8Array({ minLength: 24, maxLength: 24 }),
  })
  .map((s) => ({
    ...s,
    binding: { credentialKey: s.credentialKey, credentialId: s.credentialId, phoneNonce: s.phoneNonce, lockNonce: s.lockNonce } as SessionBinding,
  }));

/** A sealed message from a random session, and a random bit of it to flip. */
function withBit<T>(arb: fc.Arbitrary<T>, bytesOf: (t: T) => Uint8Array) {
  return arb.chain((t) => {
    const bytes = bytesOf(t);
    return fc.nat(bytes.length * 8 - 1).map((bit) => ({ t, bytes, flipped: flipBit(bytes, bit), bit }));
  });
}

describe('a ticket', () => {
  test('with any one bit of the vector flipped does not open, and the lock never challenges it', () => {
    const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS });
    for (const bit of bits(ticket)) {
      const tampered = flipBit(ticket, bit);
      assert.deepEqual(openTicket(lockKey(), tampered), { ok: false, reason: bit < 8 ? 'unsupported_version' : 'bad_ticket' }, `bit ${bit}`);
      const reply = parseReply(lock.exchange(encodeHello(PHONE_NONCE(), tampered)));
      assert.deepEqual(reply, { type: 'result', status: bit < 8 ? 'UNSUPPORTED_VERSION' : 'BAD_TICKET', seal: null }, `bit ${bit}`);
    }
  });

  test(`of a random session with one bit flipped does not open (${RUNS} cases)`, () => {
    const sealed = withBit(sessionArb, (s) =>
      sealTicket(s.lockKey, { lockId: s.lockId, credentialId: s.credentialId, notBefore: 1, notAfter: 2, credentialKey: s.credentialKey, permissions: 1 }, s.nonce),
    );
    fc.assert(
      fc.property(sealed, ({ t, bytes, flipped }) => {
        assert.equal(openTicket(t.lockKey, bytes).ok, true);
        assert.equal(openTicket(t.lockKey, flipped).ok, false);
      }),
      seeded(0x7a01, RUNS),
    );
  });
});

describe('an UNLOCK', () => {
  test('with any one bit of the vector flipped gets no OK and moves no bolt', () => {
    for (const bit of bits(unlock)) {
      const lock = challengedLock();
      const reply = parseReply(lock.exchange(flipBit(unlock, bit)));
      // Bits 0-7 are the type byte: then it is no UNLOCK at all.
      assert.equal(reply.type === 'result' && reply.status, bit < 8 ? 'OUT_OF_ORDER' : 'BAD_PROOF', `bit ${bit}`);
      assert.equal(lock.unlockCount, 0);
    }
  });

  test(`of a random session with one bit flipped does not open (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(withBit(sessionArb, (s) => encodeUnlock(s.binding, s.nonce)), ({ t, bytes, flipped }) => {
        assert.deepEqual(openUnlock(bytes, t.binding), { ok: true, command: 1 });
        assert.deepEqual(openUnlock(flipped, t.binding), { ok: false });
      }),
      seeded(0x7a02, RUNS),
    );
  });

  test('intact, opens the door exactly once (the control for the two above)', () => {
    const lock = challengedLock();
    assert.equal(parseReply(lock.exchange(unlock)).type, 'result');
    assert.equal(lock.unlockCount, 1);
  });
});

describe('a RESULT', () => {
  test('OK with any one bit of the vector flipped is never taken for success', async () => {
    for (const bit of bits(resultOk)) {
      const outcome = await clientVerdict([challenge, flipBit(resultOk, bit)]);
      assert.equal(outcome.ok, false, `bit ${bit}`);
      // A flipped status byte may land on a status that is never sealed, or on no status.
      const expected = bit < 8 ? ['lock_protocol_error'] : bit < 16 ? ['lock_unauthenticated', 'lock_protocol_error'] : ['lock_unauthenticated'];
      assert.ok(!outcome.ok && expected.includes(outcome.code), `bit ${bit}: ${JSON.stringify(outcome)}`);
    }
  });

  for (const [name, refusal] of [
    ['EXPIRED', resultExpired],
    ['REVOKED', resultRevoked],
  ] as const) {
    test(`${name} (refusing the HELLO) with any one bit of the vector flipped is not believed`, async () => {
      for (const bit of bits(refusal).slice(16)) {
        const outcome = await clientVerdict([flipBit(refusal, bit)]);
        assert.deepEqual(!outcome.ok && outcome.code, 'lock_unauthenticated', `bit ${bit}`);
      }
    });
  }

  test(`of a random session, either form, any status, with one bit flipped does not authenticate (${RUNS} cases)`, () => {
    const arb = fc.tuple(sessionArb, fc.constantFrom('OK', 'REVOKED', 'EXPIRED', 'BAD_PROOF', 'JAMMED', 'WRONG_LOCK' as const), fc.constantFrom('hello' as const, 'unlock' as const));
    fc.assert(
      fc.property(
        withBit(arb, ([s, status, form]) => sealResult(status, s.binding, form, s.nonce)),
        ({ t: [s], bytes, flipped }) => {
          const intact = parseReply(bytes);
          assert.ok(intact.type === 'result' && authenticateResult(intact, s.binding));
          const reply = parseReply(flipped);
          assert.ok(reply.type !== 'result' || !authenticateResult(reply, s.binding));
        },
      ),
      seeded(0x7a03, RUNS),
    );
  });

  test('the intact vectors are believed (the control for the ones above)', async () => {
    assert.equal((await clientVerdict([challenge, resultOk])).ok, true);
    assert.deepEqual((await clientVerdict([resultRevoked])).ok === false && (await clientVerdict([resultRevoked])), {
      ok: false,
      code: 'lock_revoked',
      credentialId: credential().credentialId,
      lockId: LOCK_ID,
      status: 'REVOKED',
    });
  });
});

describe('a lock update', () => {
  test('with any one bit of the vector flipped is refused and changes nothing on the lock', () => {
    for (const bit of bits(lockUpdate)) {
      const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS });
      // The version byte: another format; every other bit: a forgery (header bits are in the AAD).
      assert.equal(lock.applyUpdate(flipBit(lockUpdate, bit)), bit < 8 ? 'unsupported_version' : 'forged', `bit ${bit}`);
      assert.deepEqual([lock.updateSequence, lock.revocationList], [0, []]);
    }
  });

  test(`of a random lock and list with one bit flipped is refused (${RUNS} cases)`, () => {
    const arb = fc.tuple(
      sessionArb,
      fc.integer({ min: 1, max: 0xffffffff }),
      fc.array(fc.uint8Array({ minLength: 16, maxLength: 16 }).map(bytesToUuid), { maxLength: 5 }),
    );
    fc.assert(
      fc.property(
        withBit(arb, ([s, sequence, revoked]) => sealLockUpdate(s.lockKey, { lockId: s.lockId, sequence, revoked }, s.nonce)),
        ({ t: [s, sequence], bytes, flipped }) => {
          assert.equal(judgeLockUpdate(s.lockKey, s.lockId, sequence - 1, bytes).ok, true);
          assert.equal(openLockUpdate(s.lockKey, flipped).ok, false);
          assert.equal(judgeLockUpdate(s.lockKey, s.lockId, 0, flipped).ok, false);
        },
      ),
      seeded(0x7a04, RUNS),
    );
  });

  test('intact, is applied (the control for the two above)', () => {
    const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS });
    assert.equal(lock.applyUpdate(lockUpdate), 'applied');
  });
});
