/** The virtual lock on its own: sessions, connections, faults and the audit log. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../src/protocol/bytes.ts';
import { FrameAssembler, splitFrames } from '../../src/protocol/framing.ts';
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
  lockVectorRandom,
  makeTicket,
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
    assert.deepEqual(parseInfo(lock.info()), { ok: true, version: 1, lockId: LOCK_ID, maxFrame: 20 });
    assert.equal(lock.lockId, LOCK_ID);
    assert.equal(lock.name, 'IK-9F1C2A');
    assert.equal(newLock({ name: 'Room 412' }).lock.name, 'Room 412');
  });

  test('refuses misuse of its options with typed errors', () => {
    assert.throws(() => newLock({ lockKey: new Uint8Array(31) }), RangeError);
    assert.throws(() => newLock({ lockId: 'room-412' }), TypeError);
    assert.throws(() => newLock({ maxFrame: 19 }), RangeError);
    assert.throws(() => newLock({ messageLimit: 0 }), RangeError);
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

  test('is BUSY for a second phone while the first holds a session, and free once it leaves', () => {
    const { lock } = newLock();
    const first = lock.connect();
    const second = lock.connect();
    assert.equal(statusOf(converse(first, hello)), 'challenge');
    assert.equal(statusOf(converse(second, encodeHello(makeTicket()))), 'BUSY');
    // The first phone's session is untouched by the refusal.
    assert.equal(statusOf(converse(first, unlock)), 'OK');
    assert.equal(statusOf(converse(second, hello)), 'challenge');
    second.close();
    assert.equal(statusOf(converse(lock.connect(), hello)), 'challenge');
  });

  test('ends a session after 10 s without a message, and is free again', () => {
    const { lock, clock } = newLock();
    const first = lock.connect();
    converse(first, hello);
    clock.advance(9_999);
    assert.equal(statusOf(converse(lock.connect(), hello)), 'BUSY');
    clock.advance(1);
    assert.equal(statusOf(converse(first, unlock)), 'OUT_OF_ORDER');
    assert.equal(statusOf(converse(lock.connect(), hello)), 'challenge');
  });

  test('opens for an UNLOCK 9.999 s after the CHALLENGE', () => {
    const { lock, clock } = newLock();
    const connection = lock.connect();
    converse(connection, hello);
    clock.advance(9_999);
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

  test('with garbageReply sends random bytes that are no IK1 message', () => {
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
