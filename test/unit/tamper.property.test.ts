/**
 * Tampering: every single-bit flip of a ticket, an UNLOCK or a RESULT is rejected (checked
 * exhaustively, bit by bit), and so is any other change fast-check can think of.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hexToBytes } from '../../src/protocol/bytes.ts';
import { encodeHello, encodeInfo, parseReply } from '../../src/protocol/messages.ts';
import { unlockWithTransport } from '../../src/protocol/session.ts';
import { openTicket } from '../../src/protocol/ticket.ts';
import { VirtualLock } from '../../src/testing/virtual-lock.ts';
import { credential, LOCK_ID, lockKey, lockVectorRandom, flipBit, vectors, INSIDE_WINDOW_MS } from './support/fixtures.ts';
import { seeded } from './support/property.ts';
import { ScriptedTransport } from './support/scripted-transport.ts';

const ticket = hexToBytes(vectors.ticket);
const unlock = hexToBytes(vectors.unlock);
const challenge = hexToBytes(vectors.challenge);
const resultOk = hexToBytes(vectors.result_ok);
const resultExpired = hexToBytes(vectors.result_expired_before_challenge);

/** A lock that has just sent the vectors' CHALLENGE. */
function challengedLock(): VirtualLock {
  const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS, randomBytes: lockVectorRandom() });
  assert.equal(parseReply(lock.exchange(encodeHello(ticket))).type, 'challenge');
  return lock;
}

/** Any change to `bytes`: XOR masks that are not all zero, at some positions. */
function changed(bytes: Uint8Array) {
  return fc
    .array(fc.record({ at: fc.nat(bytes.length - 1), mask: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 })
    .map((edits) => {
      const out = bytes.slice();
      for (const { at, mask } of edits) out[at]! ^= mask;
      return out;
    })
    .filter((out) => out.some((b, i) => b !== bytes[i]));
}

/** The browser's verdict on `reads` as the lock's replies (frames at max_frame 512). */
function clientVerdict(reads: Uint8Array[]) {
  const transport = new ScriptedTransport({ info: encodeInfo(LOCK_ID, 512), reads: reads.map((m) => Uint8Array.of(0x80, ...m)) });
  return unlockWithTransport(transport, [credential()], { pollIntervalMs: 0 });
}

const bits = (bytes: Uint8Array) => Array.from({ length: bytes.length * 8 }, (_, bit) => bit);

describe('a ticket', () => {
  test('with any one bit flipped does not open, and the lock never challenges it', () => {
    const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS });
    for (const bit of bits(ticket)) {
      const tampered = flipBit(ticket, bit);
      const opened = openTicket(lockKey(), tampered);
      assert.deepEqual(opened, { ok: false, reason: bit < 8 ? 'unsupported_version' : 'bad_ticket' }, `bit ${bit}`);
      const reply = parseReply(lock.exchange(encodeHello(tampered)));
      assert.deepEqual(reply, { type: 'result', status: bit < 8 ? 'UNSUPPORTED_VERSION' : 'BAD_TICKET', seal: null }, `bit ${bit}`);
    }
  });

  test('with any change does not open', () => {
    fc.assert(
      fc.property(changed(ticket), (tampered) => {
        assert.equal(openTicket(lockKey(), tampered).ok, false);
      }),
      seeded(0x7a01, 2000),
    );
  });
});

describe('an UNLOCK', () => {
  test('with any one bit flipped gets no OK and moves no bolt', () => {
    for (const bit of bits(unlock)) {
      const lock = challengedLock();
      const reply = parseReply(lock.exchange(flipBit(unlock, bit)));
      // Bits 0-7 are the type byte: then it is no UNLOCK at all.
      const expected = bit < 8 ? 'OUT_OF_ORDER' : 'BAD_PROOF';
      assert.equal(reply.type === 'result' && reply.status, expected, `bit ${bit}`);
      assert.equal(lock.unlockCount, 0);
    }
  });

  test('with any change gets no OK and moves no bolt', () => {
    fc.assert(
      fc.property(changed(unlock), (tampered) => {
        const lock = challengedLock();
        const reply = parseReply(lock.exchange(tampered));
        assert.equal(reply.type, 'result');
        assert.notEqual(reply.type === 'result' && reply.status, 'OK');
        assert.equal(lock.unlockCount, 0);
      }),
      seeded(0x7a02, 1000),
    );
  });

  test('intact, opens the door exactly once (the control for the two above)', () => {
    const lock = challengedLock();
    assert.equal(parseReply(lock.exchange(unlock)).type, 'result');
    assert.equal(lock.unlockCount, 1);
  });
});

describe('a RESULT', () => {
  test('OK with any one bit flipped is never taken for success', async () => {
    for (const bit of bits(resultOk)) {
      const outcome = await clientVerdict([challenge, flipBit(resultOk, bit)]);
      assert.equal(outcome.ok, false, `bit ${bit}`);
      // A flipped status byte may land on a status that is never sealed, or on no status.
      const expected =
        bit < 8 ? ['lock_protocol_error'] : bit < 16 ? ['lock_unauthenticated', 'lock_protocol_error'] : ['lock_unauthenticated'];
      assert.ok(!outcome.ok && expected.includes(outcome.code), `bit ${bit}: ${JSON.stringify(outcome)}`);
    }
  });

  test('EXPIRED with any one bit flipped is not believed either', async () => {
    for (const bit of bits(resultExpired).slice(16)) {
      const outcome = await clientVerdict([flipBit(resultExpired, bit)]);
      assert.deepEqual(!outcome.ok && outcome.code, 'lock_unauthenticated', `bit ${bit}`);
    }
  });

  test('OK with any change is never taken for success', async () => {
    await fc.assert(
      fc.asyncProperty(changed(resultOk), async (tampered) => {
        assert.equal((await clientVerdict([challenge, tampered])).ok, false);
      }),
      seeded(0x7a03, 1000),
    );
  });

  test('OK intact is success (the control for the three above)', async () => {
    assert.equal((await clientVerdict([challenge, resultOk])).ok, true);
  });
});
