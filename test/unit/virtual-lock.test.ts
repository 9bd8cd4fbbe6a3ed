/** The virtual lock on its own: sessions, connections, faults and the audit log. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, bytesToUuid, hexToBytes, randomBytes } from '../../src/protocol/bytes.ts';
import { CHALLENGE_WINDOW_MS } from '../../src/protocol/constants.ts';
import { FrameAssembler, splitFrames } from '../../src/protocol/framing.ts';
import { sealLockUpdate } from '../../src/protocol/lock-update.ts';
import { encodeHello, parseInfo, parseReply } from '../../src/protocol/messages.ts';
import { TransportError } from '../../src/protocol/transport.ts';
import { MemoryTransport } from '../../src/testing/memory-transport.ts';
import { LockDisconnectedError, VirtualLock, type LockConnection, type VirtualLockOptions } from '../../src/testing/virtual-lock.ts';
import {
  countingRandom,
  CREDENTIAL_ID,
  INSIDE_WINDOW_MS,
  LOCK_ID,
  lockKey,
  lockUpdateVector,
  lockVectorRandom,
  makeTicket,
  PHONE_NONCE,
  manualClock,
  vectors,
} from './support/fixtures.ts';

const hello = hexToBytes(vectors.hello);
const unlock = hexToBytes(vectors.unlock);

function newLock(options: Partial<VirtualLockOptions> = {}) {
  const clock = manualClock();
  const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: clock.now, randomBytes: lockVectorRandom(), ...options });
  return { lock, clock };
}

/** Writes a whole message as frames and reads back the whole reply (empty when none is ready). */
function converse(connection: LockConnection, message: Uint8Array, maxFrame = 512): Uint8Array {
  for (const frame of splitFrames(message, maxFrame)) connection.writeFrame(frame);
  return readReply(connection);
}

function readReply(connection: LockConnection): Uint8Array {
  const assembler = new FrameAssembler();
  for (;;) {
    const frame = connection.readFrame();
    if (frame.length === 0) return frame;
    const pushed = assembler.push(frame);
    if (pushed.kind === 'message') return pushed.message;
    assert.equal(pushed.kind, 'partial');
  }
}

const statusOf = (reply: Uint8Array) => {
  const parsed = parseReply(reply);
  return parsed.type === 'result' ? parsed.status : parsed.type;
};

describe('the virtual lock', () => {
  test('describes itself in info and by a name derived from its id', () => {
    const { lock } = newLock({ lockId: LOCK_ID.toUpperCase(), maxFrame: 20 });
    assert.deepEqual(parseInfo(lock.info()), { ok: true, version: 2, lockId: LOCK_ID, maxFrame: 20, updateSequence: 0 });
    assert.equal(lock.lockId, LOCK_ID);
    assert.equal(lock.name, 'IK-9F1C2A');
    assert.equal(newLock({ name: 'Room 412' }).lock.name, 'Room 412');
  });

  test('refuses misuse of its options with typed errors', () => {
    assert.throws(() => newLock({ lockKey: new Uint8Array(31) }), RangeError);
    assert.throws(() => newLock({ lockId: 'room-412' }), TypeError);
    assert.throws(() => newLock({ maxFrame: 19 }), RangeError);
    assert.throws(() => newLock({ messageLimit: 0 }), RangeError);
    assert.throws(() => newLock({ challengeWindowMs: 0 }), RangeError);
  });

  test('answers an UNLOCK without a session OUT_OF_ORDER, unauthenticated', () => {
    const { lock } = newLock();
    assert.deepEqual(parseReply(lock.exchange(unlock)), { type: 'result', status: 'OUT_OF_ORDER', seal: null });
  });

  test('answers a message of unknown type OUT_OF_ORDER and ends the session', () => {
    const { lock } = newLock();
    lock.exchange(hello);
    assert.equal(statusOf(lock.exchange(Uint8Array.of(0x07, 1, 2))), 'OUT_OF_ORDER');
    assert.equal(statusOf(lock.exchange(unlock)), 'OUT_OF_ORDER');
    assert.equal(lock.unlockCount, 0);
  });

  test('answers a second HELLO on the same connection OUT_OF_ORDER and ends the session', () => {
    const { lock } = newLock();
    assert.equal(statusOf(lock.exchange(hello)), 'challenge');
    assert.equal(statusOf(lock.exchange(hello)), 'OUT_OF_ORDER');
    assert.equal(statusOf(lock.exchange(unlock)), 'OUT_OF_ORDER');
  });

  test('ends the session after one UNLOCK: a replayed UNLOCK gets OUT_OF_ORDER', () => {
    const { lock } = newLock();
    lock.exchange(hello);
    assert.equal(statusOf(lock.exchange(unlock)), 'OK');
    assert.equal(statusOf(lock.exchange(unlock)), 'OUT_OF_ORDER');
    assert.equal(lock.unlockCount, 1);
  });

  test('serves a second phone’s HELLO at once: it supersedes a session still waiting for its UNLOCK', () => {
    const { lock } = newLock();
    const first = lock.connect();
    const second = lock.connect();
    assert.equal(statusOf(converse(first, hello)), 'challenge');
    assert.equal(statusOf(converse(second, encodeHello(PHONE_NONCE(), makeTicket()))), 'challenge');
    // The superseded phone's UNLOCK finds no session.
    assert.equal(statusOf(converse(first, unlock)), 'OUT_OF_ORDER');
    assert.deepEqual(
      lock.log.filter((e) => e.message === 'END').map((e) => [e.connection, e.end]),
      [[first.id, { reason: 'superseded', by: second.id }]],
    );
    assert.equal(lock.unlockCount, 0);
  });

  test('leaves another connection’s session alone for a HELLO the ticket checks refuse', () => {
    const { lock } = newLock();
    const first = lock.connect();
    assert.equal(statusOf(converse(first, hello)), 'challenge');
    assert.equal(statusOf(converse(lock.connect(), encodeHello(PHONE_NONCE(), makeTicket({ permissions: 0 })))), 'FORBIDDEN');
    assert.equal(statusOf(converse(lock.connect(), hello.subarray(0, 40))), 'BAD_TICKET');
    assert.equal(statusOf(converse(first, unlock)), 'OK');
  });

  test(`ends a session whose UNLOCK has not come ${CHALLENGE_WINDOW_MS} ms after its CHALLENGE, and logs why`, () => {
    const { lock, clock } = newLock();
    const first = lock.connect();
    converse(first, hello);
    clock.advance(CHALLENGE_WINDOW_MS);
    assert.equal(statusOf(converse(first, unlock)), 'OUT_OF_ORDER');
    assert.deepEqual(lock.log.filter((e) => e.message === 'END').map((e) => e.end), [{ reason: 'deadline' }]);
    assert.equal(statusOf(converse(lock.connect(), hello)), 'challenge');
  });

  test('drops a connection idle for 10 s, ending its session; a live one is kept', () => {
    const { lock, clock } = newLock();
    const idle = lock.connect();
    const quiet = lock.connect();
    converse(quiet, hello);
    clock.advance(9_999);
    quiet.readFrame();
    clock.advance(1);
    const other = lock.connect();
    assert.equal(idle.closed, true);
    assert.equal(quiet.closed, false);
    assert.throws(() => idle.readFrame(), LockDisconnectedError);
    clock.advance(10_000);
    assert.throws(() => quiet.writeFrame(Uint8Array.of(0x80, 3)), LockDisconnectedError);
    assert.equal(other.closed, true);
    assert.deepEqual(lock.log.filter((e) => e.message === 'END').map((e) => e.end?.reason), ['deadline']);
  });

  test('keeps one reply per connection: a new reply replaces the unread rest of the old one', () => {
    const { lock } = newLock({ maxFrame: 20 });
    const connection = lock.connect();
    for (const frame of splitFrames(hello, 20)) connection.writeFrame(frame);
    connection.readFrame(); // the CHALLENGE's first frame
    connection.writeFrame(Uint8Array.of(0x85, 1)); // a framing error
    assert.equal(statusOf(readReply(connection)), 'MALFORMED');
    assert.equal(connection.readFrame().length, 0, 'after the whole reply, reads are empty');
  });

  test('answers every further frame of a broken message MALFORMED of its own', () => {
    const { lock } = newLock({ maxFrame: 20 });
    const connection = lock.connect();
    const frames = splitFrames(hello, 20);
    connection.writeFrame(frames[0]!);
    connection.writeFrame(frames[2]!);
    assert.equal(statusOf(readReply(connection)), 'MALFORMED');
    connection.writeFrame(frames[3]!);
    assert.equal(statusOf(readReply(connection)), 'MALFORMED');
    assert.equal(lock.log.filter((e) => e.status === 'MALFORMED').length, 2);
    connection.writeFrame(new Uint8Array(0));
    assert.equal(statusOf(readReply(connection)), 'MALFORMED', 'a zero-length write is a framing error');
  });

  test('opens for an UNLOCK just inside the window', () => {
    const { lock, clock } = newLock();
    const connection = lock.connect();
    converse(connection, hello);
    clock.advance(CHALLENGE_WINDOW_MS - 1);
    assert.equal(statusOf(converse(connection, unlock)), 'OK');
  });

  test('answers MALFORMED for a frame longer than its max_frame and for a message over its limit', () => {
    const small = newLock({ maxFrame: 20 }).lock.connect();
    small.writeFrame(Uint8Array.of(0x80, ...new Uint8Array(20)));
    assert.equal(statusOf(readReply(small)), 'MALFORMED');
    const limited = newLock({ messageLimit: 100 }).lock.connect();
    assert.equal(statusOf(converse(limited, hello)), 'MALFORMED');
  });

  test('keeps a reply unreadable until it has been ready for replyLatencyMs', () => {
    const { lock, clock } = newLock({ faults: { replyLatencyMs: 50 } });
    const connection = lock.connect();
    connection.writeFrame(Uint8Array.of(0x80, ...hello));
    clock.advance(49);
    assert.equal(connection.readFrame().length, 0);
    clock.advance(1);
    assert.equal(bytesToHex(connection.readFrame()), `80${vectors.challenge}`);
  });

  test('with hangAt never answers that message, logs nothing and changes nothing', () => {
    const { lock } = newLock({ faults: { hangAt: 'hello' } });
    const connection = lock.connect();
    assert.equal(converse(connection, hello).length, 0);
    assert.deepEqual(lock.log, []);
    lock.faults.hangAt = null;
    assert.equal(statusOf(converse(connection, hello)), 'challenge');
  });

  test('with disconnectAfterFrames drops the link after that many frames', () => {
    const { lock } = newLock({ maxFrame: 20, faults: { disconnectAfterFrames: 3 } });
    const connection = lock.connect();
    const frames = splitFrames(hello, 20);
    connection.writeFrame(frames[0]!);
    connection.writeFrame(frames[1]!);
    assert.equal(connection.readFrame().length, 0, 'an empty read is not a frame');
    connection.writeFrame(frames[2]!);
    assert.equal(connection.closed, true);
    assert.throws(() => connection.writeFrame(frames[3]!), LockDisconnectedError);
    assert.throws(() => connection.readFrame(), LockDisconnectedError);
  });

  test('counts the window from when the CHALLENGE can be read (replyLatencyMs)', () => {
    const { lock, clock } = newLock({ faults: { replyLatencyMs: 500 } });
    const connection = lock.connect();
    for (const frame of splitFrames(hello, 512)) connection.writeFrame(frame);
    clock.advance(500 + CHALLENGE_WINDOW_MS - 1);
    assert.equal(statusOf(readReply(connection)), 'challenge');
    for (const frame of splitFrames(unlock, 512)) connection.writeFrame(frame);
    clock.advance(500);
    assert.equal(statusOf(readReply(connection)), 'OK');
  });

  test('with garbageReply sends random bytes that are no message of the protocol', () => {
    const { lock } = newLock({ randomBytes: countingRandom(), faults: { garbageReply: true } });
    const reply = lock.exchange(hello);
    assert.equal(reply.length, 17);
    assert.ok(reply[0]! >= 0x80);
    assert.deepEqual(parseReply(reply), { type: 'invalid', reason: 'unknown_type' });
  });

  test('with truncatedReply loses the last byte of each reply', () => {
    const { lock } = newLock({ faults: { truncatedReply: true } });
    assert.equal(bytesToHex(lock.exchange(hello)), vectors.challenge.slice(0, -2));
  });

  test('with spoofUnauthenticatedOk sends 04 00 for every RESULT but keeps its CHALLENGE', () => {
    const { lock } = newLock({ faults: { spoofUnauthenticatedOk: true } });
    assert.equal(bytesToHex(lock.exchange(hello)), vectors.challenge);
    assert.equal(bytesToHex(lock.exchange(unlock)), '0400');
    assert.equal(bytesToHex(lock.exchange(unlock)), '0400');
  });

  test('logs every attempt with its connection, credential and time by its own clock', () => {
    const { lock } = newLock({ faults: { clockOffsetS: 30 } });
    const tampered = hello.slice();
    tampered[40]! ^= 1;
    const a = lock.connect();
    converse(a, tampered);
    converse(a, hello);
    converse(a, unlock);
    a.writeFrame(Uint8Array.of(0x80));
    const at = new Date(INSIDE_WINDOW_MS + 30_000).toISOString();
    assert.deepEqual(lock.log, [
      { at, connection: a.id, credentialId: null, message: 'HELLO', status: 'BAD_TICKET' },
      { at, connection: a.id, credentialId: CREDENTIAL_ID, message: 'HELLO', status: 'OK' },
      { at, connection: a.id, credentialId: CREDENTIAL_ID, message: 'UNLOCK', status: 'OK' },
      { at, connection: a.id, credentialId: null, message: 'OTHER', status: 'MALFORMED' },
    ]);
  });

  test('with impostorReplies answers each message with the recording, and does nothing else', () => {
    const { lock } = newLock({ faults: { impostorReplies: [vectors.challenge, vectors.result_ok] } });
    assert.equal(bytesToHex(lock.exchange(Uint8Array.of(0x07))), vectors.challenge);
    assert.equal(bytesToHex(lock.exchange(unlock)), vectors.result_ok);
    assert.equal(lock.exchange(unlock).length, 0);
    assert.equal(lock.unlockCount, 0);
    assert.deepEqual(lock.log, []);
  });
});

describe('the virtual lock’s revocation list', () => {
  const revoked = (n: number) => Array.from({ length: n }, () => bytesToUuid(randomBytes(16)));
  const update = (sequence: number, list: string[], lockId = LOCK_ID, key = lockKey()) =>
    sealLockUpdate(key, { lockId, sequence, revoked: list });

  test('starts empty at sequence 0, and publishes each applied sequence in info', () => {
    const { lock } = newLock();
    assert.deepEqual([lock.updateSequence, lock.revocationList], [0, []]);
    const list = revoked(3);
    assert.equal(lock.applyUpdate(update(4, list)), 'applied');
    assert.deepEqual([lock.updateSequence, lock.revocationList], [4, [...list].sort()]);
    assert.equal(parseInfo(lock.info()).ok && (parseInfo(lock.info()) as { updateSequence: number }).updateSequence, 4);
  });

  test('replaces its list with each newer update: a credential can leave the list', () => {
    const { lock } = newLock();
    lock.applyUpdate(update(1, [CREDENTIAL_ID]));
    assert.equal(statusOf(lock.exchange(hello)), 'REVOKED');
    lock.applyUpdate(update(2, []));
    assert.equal(statusOf(lock.exchange(hello)), 'challenge');
  });

  test('keeps what revoke() added across updates', () => {
    const { lock } = newLock();
    lock.revoke(CREDENTIAL_ID);
    lock.applyUpdate(update(1, []));
    assert.deepEqual(lock.revocationList, [CREDENTIAL_ID]);
  });

  test('refuses stale, forged, other-lock and malformed updates, and logs each', () => {
    const { lock } = newLock();
    lock.applyUpdate(update(5, [CREDENTIAL_ID]));
    const forged = update(6, []);
    forged[40]! ^= 1;
    const outcomes = [
      lock.applyUpdate(update(5, [])),
      lock.applyUpdate(update(4, [])),
      lock.applyUpdate(forged),
      lock.applyUpdate(update(7, [], '9f1c2a44-5b6d-4e7f-8a90-b1c2d3e4f507')),
      lock.applyUpdate(update(8, [], LOCK_ID, new Uint8Array(32))),
      lock.applyUpdate(update(9, []).subarray(0, 60)),
      lock.applyUpdate(Uint8Array.of(0x03, ...update(9, []).subarray(1))),
      // Too short to carry a sequence: logged without one.
      lock.applyUpdate(Uint8Array.of(0x03, 0, 0)),
    ];
    assert.deepEqual(outcomes, ['stale', 'stale', 'forged', 'other_lock', 'forged', 'malformed', 'unsupported_version', 'unsupported_version']);
    assert.deepEqual([lock.updateSequence, lock.revocationList], [5, [CREDENTIAL_ID]]);
    assert.deepEqual(
      lock.log.map((e) => [e.message, e.status, e.update]),
      [
        ['UPDATE', null, { sequence: 5, outcome: 'applied' }],
        ['UPDATE', null, { sequence: 5, outcome: 'stale' }],
        ['UPDATE', null, { sequence: 4, outcome: 'stale' }],
        ['UPDATE', null, { sequence: 6, outcome: 'forged' }],
        ['UPDATE', null, { sequence: 7, outcome: 'other_lock' }],
        ['UPDATE', null, { sequence: 8, outcome: 'forged' }],
        ['UPDATE', null, { sequence: 9, outcome: 'malformed' }],
        ['UPDATE', null, { sequence: 9, outcome: 'unsupported_version' }],
        ['UPDATE', null, { sequence: null, outcome: 'unsupported_version' }],
      ],
    );
  });

  test('takes an update carried in a HELLO before it judges the ticket, on the phone’s connection', () => {
    const { lock } = newLock();
    const connection = lock.connect();
    assert.equal(statusOf(converse(connection, encodeHello(PHONE_NONCE(), makeTicket(), lockUpdateVector()))), 'REVOKED');
    assert.deepEqual(lock.log.map((e) => [e.connection, e.message, e.status]), [
      [connection.id, 'UPDATE', null],
      [connection.id, 'HELLO', 'REVOKED'],
    ]);
  });

  test('judges the ticket all the same when the carried update is refused', () => {
    const { lock } = newLock();
    const forged = lockUpdateVector();
    forged[50]! ^= 1;
    assert.equal(statusOf(lock.exchange(encodeHello(PHONE_NONCE(), makeTicket(), forged))), 'challenge');
    assert.equal(lock.log[0]?.update?.outcome, 'forged');
  });

  test('leaves a BUSY HELLO’s update alone', () => {
    const { lock } = newLock({ faults: { busy: true } });
    assert.equal(statusOf(converse(lock.connect(), encodeHello(PHONE_NONCE(), makeTicket(), lockUpdateVector()))), 'BUSY');
    assert.equal(lock.updateSequence, 0);
  });

  test('answers a HELLO too short for its phone nonce MALFORMED', () => {
    const { lock } = newLock();
    assert.equal(statusOf(lock.exchange(hello.subarray(0, 17))), 'MALFORMED');
  });

  test('takes the largest update there is (100 entries) inside a HELLO at max_frame 20', () => {
    const { lock } = newLock({ maxFrame: 20 });
    const list = [...revoked(99), CREDENTIAL_ID];
    assert.equal(statusOf(converse(lock.connect(), encodeHello(PHONE_NONCE(), makeTicket(), update(1, list)), 20)), 'REVOKED');
    assert.equal(lock.revocationList.length, 100);
  });
});

describe('the memory transport', () => {
  test('reports a dropped link as TransportError disconnected', async () => {
    const transport = new MemoryTransport(newLock({ faults: { disconnectAfterFrames: 0 } }).lock);
    const signal = new AbortController().signal;
    const disconnected = (e: unknown) => e instanceof TransportError && e.kind === 'disconnected';
    await assert.rejects(transport.writeFrame(Uint8Array.of(0x80, 1), signal), disconnected);
    await assert.rejects(transport.readInfo(signal), disconnected);
  });

  test('honours an aborted signal without touching the lock', async () => {
    const { lock } = newLock();
    const transport = new MemoryTransport(lock);
    await assert.rejects(transport.writeFrame(Uint8Array.of(0x80, ...hello), AbortSignal.abort()), { name: 'AbortError' });
    assert.deepEqual(lock.log, []);
  });

  test('disconnect closes its connection and ends its session', async () => {
    const { lock } = newLock();
    const transport = new MemoryTransport(lock);
    const signal = new AbortController().signal;
    await transport.writeFrame(Uint8Array.of(0x80, ...hello), signal);
    transport.disconnect();
    assert.equal(transport.connection.closed, true);
    assert.equal(statusOf(converse(lock.connect(), hello)), 'challenge');
  });
});
