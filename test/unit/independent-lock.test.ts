/**
 * The element's unlock session against a lock written from docs/protocol.md alone
 * (support/independent-lock.ts), and the vectors from that lock's seat: if the library and the
 * spec disagree, one of these fails.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexToBytes } from '../../src/protocol/bytes.ts';
import { sealLockUpdate } from '../../src/protocol/lock-update.ts';
import { unlockWithTransport, type UnlockCredential } from '../../src/protocol/session.ts';
import { sealTicket } from '../../src/protocol/ticket.ts';
import type { FrameTransport } from '../../src/protocol/transport.ts';
import { HandLock } from './support/independent-lock.ts';
import { credential, CREDENTIAL_ID, LOCK_ID, lockKey, lockUpdateVector, ticketContents, vectors } from './support/fixtures.ts';

const i = vectors.inputs;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const NOW_MS = vectors.lock_checks.now_inside_window * 1000;

function handLock(options: { nowMs?: number; maxFrame?: number; lockId?: string; vectorNonces?: boolean } = {}): HandLock {
  let now = options.nowMs ?? NOW_MS;
  const lock = new HandLock({
    lockId: options.lockId ?? LOCK_ID,
    lockKey: Buffer.from(lockKey()),
    maxFrame: options.maxFrame ?? 512,
    now: () => now,
    ...(options.vectorNonces === false ? {} : { random: (n: number) => Buffer.from(n === 16 ? i.lock_nonce : i.result_nonce, 'hex') }),
  });
  return Object.assign(lock, { advance: (ms: number) => void (now += ms) });
}

/** One whole message in, the whole reply out, on one connection (frames at max_frame 512). */
function exchanger(lock: HandLock) {
  const connection = lock.connect();
  return (message: string): string => {
    connection.writeFrame(Buffer.concat([Buffer.of(0x80), Buffer.from(message, 'hex')]));
    const frame = Buffer.from(connection.readFrame());
    assert.equal(frame[0], 0x80, 'one FINAL frame');
    return frame.subarray(1).toString('hex');
  };
}

/** The element's transport view of a connection to the hand lock, counting GATT operations. */
function transportTo(lock: HandLock) {
  const connection = lock.connect();
  const counts = { operations: 0 };
  const transport: FrameTransport = {
    readInfo: async () => (counts.operations++, lock.info()),
    writeFrame: async (frame) => void (counts.operations++, connection.writeFrame(frame)),
    readFrame: async () => (counts.operations++, connection.readFrame()),
  };
  return { transport, counts, connection };
}

const unlock = (lock: HandLock, held: UnlockCredential[] = [credential()]) => {
  const { transport, counts } = transportTo(lock);
  return unlockWithTransport(transport, held, { pollIntervalMs: 0 }).then((outcome) => ({ outcome, operations: counts.operations }));
};

describe('the independent lock reproduces the vectors', () => {
  test('info, before and after the vector update', () => {
    const lock = handLock();
    assert.equal(hex(lock.info()), vectors.info);
    exchanger(lock)(vectors.hello_with_update);
    assert.equal(hex(lock.info()), vectors.info_after_update);
  });

  test('the whole session: CHALLENGE, then RESULT OK for the vector UNLOCK', () => {
    const lock = handLock();
    const say = exchanger(lock);
    assert.equal(say(vectors.hello), vectors.challenge);
    assert.equal(say(vectors.unlock), vectors.result_ok);
    assert.equal(lock.opened, 1);
  });

  test('EXPIRED, REVOKED by the carried update, BAD_TICKET: byte for byte', () => {
    assert.equal(exchanger(handLock({ nowMs: vectors.lock_checks.now_expired * 1000 }))(vectors.hello), vectors.result_expired_before_challenge);
    assert.equal(exchanger(handLock())(vectors.hello_with_update), vectors.result_revoked_by_update);
    const tampered = vectors.hello.slice(0, 100) + (vectors.hello[100] === '0' ? '1' : '0') + vectors.hello.slice(101);
    assert.equal(exchanger(handLock())(tampered), vectors.result_bad_ticket);
  });

  for (const check of vectors.update_checks) {
    test(`update check: ${check.why}`, () => {
      const lock = handLock();
      if (check.held_sequence > 0) exchanger(lock)(vectors.hello_with_update);
      assert.equal(lock.sequence, check.held_sequence);
      const ticketAndNonce = vectors.hello.slice(2);
      exchanger(lock)(`01${ticketAndNonce}${vectors[check.update as 'lock_update']}`);
      assert.equal(lock.log.filter((l) => l.what === 'UPDATE').at(-1)?.result, check.outcome);
      assert.equal(lock.sequence, check.sequence_after);
    });
  }
});

describe('the element’s session interoperates with the independent lock', () => {
  for (const [maxFrame, operations] of [
    [512, 5],
    [20, 15],
  ] as const) {
    test(`unlocks at max_frame ${maxFrame} in ${operations} GATT operations`, async () => {
      const lock = handLock({ maxFrame, vectorNonces: false });
      const { outcome, operations: ops } = await unlock(lock);
      assert.deepEqual(outcome, { ok: true, credentialId: CREDENTIAL_ID, lockId: LOCK_ID });
      assert.equal(ops, operations);
      assert.equal(lock.opened, 1);
    });
  }

  test('carries its update to a lock that is behind, which then refuses the revoked ticket, authenticated', async () => {
    const lock = handLock({ vectorNonces: false });
    const { outcome } = await unlock(lock, [credential({ lockUpdate: lockUpdateVector() })]);
    assert.deepEqual(outcome, { ok: false, code: 'lock_revoked', credentialId: CREDENTIAL_ID, lockId: LOCK_ID, status: 'REVOKED' });
    assert.equal(lock.sequence, i.update_sequence);
    assert.equal(lock.opened, 0);
  });

  test('an update revoking someone else: the lock applies it and opens for this phone', async () => {
    const lock = handLock({ vectorNonces: false });
    const update = sealLockUpdate(lockKey(), { lockId: LOCK_ID, sequence: 2, revoked: [i.other_credential_id] });
    const { outcome, operations } = await unlock(lock, [credential({ lockUpdate: update })]);
    assert.equal(outcome.ok, true);
    assert.equal(operations, 5, 'the update rides in the HELLO frame');
    assert.deepEqual([...lock.list], [i.other_credential_id.replaceAll('-', '')]);
  });

  test('stale, forged and other-lock updates are refused and logged; the ticket is judged as usual', async () => {
    const lock = handLock({ vectorNonces: false });
    await unlock(lock, [credential({ lockUpdate: sealLockUpdate(lockKey(), { lockId: LOCK_ID, sequence: 5, revoked: [] }) })]);
    const forged = sealLockUpdate(lockKey(), { lockId: LOCK_ID, sequence: 9, revoked: [CREDENTIAL_ID] });
    forged[40]! ^= 1;
    const cases: Array<[Uint8Array, string]> = [
      [sealLockUpdate(lockKey(), { lockId: LOCK_ID, sequence: 5, revoked: [CREDENTIAL_ID] }), 'not sent'],
      [forged, 'forged'],
      [sealLockUpdate(lockKey(), { lockId: i.other_lock_id, sequence: 9, revoked: [CREDENTIAL_ID] }), 'other_lock'],
    ];
    for (const [update, expected] of cases) {
      const before = lock.log.length;
      const { outcome } = await unlock(lock, [credential({ lockUpdate: update })]);
      assert.equal(outcome.ok, true, expected);
      const line = lock.log.slice(before).find((l) => l.what === 'UPDATE');
      assert.equal(line?.result ?? 'not sent', expected);
    }
    assert.equal(lock.sequence, 5);
  });

  test('WRONG_LOCK, EXPIRED and FORBIDDEN arrive authenticated', async () => {
    const neighbour = handLock({ lockId: i.other_lock_id, vectorNonces: false });
    const wrong = await unlock(neighbour, [credential({ lockId: i.other_lock_id })]);
    assert.equal(!wrong.outcome.ok && wrong.outcome.status, 'WRONG_LOCK');
    const late = await unlock(handLock({ nowMs: vectors.lock_checks.now_expired * 1000, vectorNonces: false }));
    assert.equal(!late.outcome.ok && late.outcome.status, 'EXPIRED');
    const ticket = sealTicket(lockKey(), ticketContents({ permissions: 0 }));
    const forbidden = await unlock(handLock({ vectorNonces: false }), [credential({ ticket })]);
    assert.equal(!forbidden.outcome.ok && forbidden.outcome.status, 'FORBIDDEN');
  });

  test('a replayed HELLO holds the lock BUSY for at most the 2 s window', async () => {
    const lock = handLock({ vectorNonces: false }) as HandLock & { advance(ms: number): void };
    const replayer = lock.connect();
    replayer.writeFrame(Buffer.concat([Buffer.of(0x80), Buffer.from(vectors.hello, 'hex')]));
    const refused = (await unlock(lock)).outcome;
    assert.equal(!refused.ok && refused.code, 'lock_busy');
    lock.advance(1999);
    const still = (await unlock(lock)).outcome;
    assert.equal(!still.ok && still.code, 'lock_busy');
    lock.advance(1);
    assert.equal((await unlock(lock)).outcome.ok, true);
  });

  test('a phone whose credential key is wrong never reports success', async () => {
    const key = hexToBytes(i.credential_key);
    key[0]! ^= 1;
    const lock = handLock({ vectorNonces: false });
    const { outcome } = await unlock(lock, [credential({ credentialKey: key })]);
    assert.deepEqual(outcome, { ok: false, code: 'lock_unauthenticated', credentialId: CREDENTIAL_ID, lockId: LOCK_ID });
    assert.equal(lock.opened, 0);
  });
});
