/**
 * Fuzzing both ends: random frame sequences into the lock, random replies into the phone.
 * Whatever arrives, each side answers with a status or a typed outcome: no exception, no hang.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hexToBytes } from '../../src/protocol/bytes.ts';
import { FrameAssembler, splitFrames } from '../../src/protocol/framing.ts';
import { encodeChallenge, encodeInfo, parseReply } from '../../src/protocol/messages.ts';
import { unlockWithTransport, type UnlockErrorCode } from '../../src/protocol/session.ts';
import { Status, type StatusName } from '../../src/protocol/status.ts';
import { TransportError } from '../../src/protocol/transport.ts';
import { noFaults, type LockFaults } from '../../src/testing/lock-faults.ts';
import { LockDisconnectedError, VirtualLock, type LockConnection } from '../../src/testing/virtual-lock.ts';
import { credential, LOCK_ID, LOCK_NONCE, lockKey, manualClock, vectors } from './support/fixtures.ts';
import { seeded } from './support/property.ts';
import { ScriptedTransport, type Act } from './support/scripted-transport.ts';

const RUNS = 10_000;
const hello = hexToBytes(vectors.hello);
const unlock = hexToBytes(vectors.unlock);
const helloWithUpdate = hexToBytes(vectors.hello_with_update);

const faultsArb: fc.Arbitrary<LockFaults> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(noFaults()) },
  {
    weight: 2,
    arbitrary: fc.record({
      jammed: fc.boolean(),
      busy: fc.constantFrom(false, false, false, true),
      clockOffsetS: fc.integer({ min: -400_000, max: 400_000 }),
      replyLatencyMs: fc.constantFrom(0, 0, 5, 20_000),
      hangAt: fc.constantFrom(null, null, 'hello' as const, 'unlock' as const),
      disconnectAfterFrames: fc.option(fc.nat(20)),
      garbageReply: fc.boolean(),
      truncatedReply: fc.boolean(),
      spoofUnauthenticatedOk: fc.boolean(),
      impostorReplies: fc.constantFrom<string[] | null>(null, null, null, [vectors.challenge, vectors.result_ok]),
    }),
  },
);

type LockOp =
  | { kind: 'write'; frame: Uint8Array }
  | { kind: 'send'; message: 'hello' | 'hello_with_update' | 'unlock'; frames: number }
  | { kind: 'read' }
  | { kind: 'wait'; ms: number }
  | { kind: 'reconnect' };

const lockOp: fc.Arbitrary<LockOp> = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }).map((frame) => ({ kind: 'write' as const, frame })) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      message: fc.constantFrom('hello' as const, 'hello_with_update' as const, 'unlock' as const),
      frames: fc.integer({ min: 1, max: 8 }),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: 'read' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 12_000 }).map((ms) => ({ kind: 'wait' as const, ms })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reconnect' as const }) },
);

/** The lock's randomness: the vectors' lock_nonce, so the vectors' UNLOCK can really open it. */
function fuzzRandom(): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => (n === 16 ? LOCK_NONCE() : Uint8Array.from({ length: n }, () => counter++ & 0xff));
}

describe('the virtual lock, fed random frames', () => {
  test(`answers every sequence with well-framed replies and opens only for the real UNLOCK (${RUNS} cases)`, () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 512 }),
        faultsArb,
        fc.array(lockOp, { maxLength: 30 }),
        (maxFrame, faults, ops) => {
          const clock = manualClock();
          const lock = new VirtualLock({
            lockId: LOCK_ID,
            lockKey: lockKey(),
            maxFrame,
            now: clock.now,
            randomBytes: fuzzRandom(),
            faults,
          });
          let connection: LockConnection = lock.connect();
          let replies = new FrameAssembler(4096, maxFrame);
          let realUnlocksSent = 0;
          const readable = !faults.garbageReply && !faults.truncatedReply;

          const guarded = (action: () => void): void => {
            try {
              action();
            } catch (e) {
              // The only exception a lock may raise: the link is down (closed or dropped by fault).
              assert.ok(e instanceof LockDisconnectedError, String(e));
              assert.ok(connection.closed);
            }
          };

          for (const op of ops) {
            if (op.kind === 'write') guarded(() => connection.writeFrame(op.frame));
            else if (op.kind === 'send') {
              const message = op.message === 'hello' ? hello : op.message === 'unlock' ? unlock : helloWithUpdate;
              const frames = splitFrames(message, maxFrame).slice(0, op.frames);
              for (const frame of frames) guarded(() => connection.writeFrame(frame));
              if (op.message === 'unlock' && frames.at(-1)![0]! & 0x80) realUnlocksSent++;
            } else if (op.kind === 'read') {
              guarded(() => {
                const frame = connection.readFrame();
                if (frame.length === 0) return;
                assert.ok(frame.length <= maxFrame);
                // A new reply replaces the unread rest of the last one (spec section 7): it starts at sequence 0.
                if ((frame[0]! & 0x7f) === 0) replies = new FrameAssembler(4096, maxFrame);
                const pushed = replies.push(frame);
                assert.notEqual(pushed.kind, 'malformed');
                if (pushed.kind === 'message' && readable) assert.notEqual(parseReply(pushed.message).type, 'invalid');
              });
            } else if (op.kind === 'wait') clock.advance(op.ms);
            else {
              connection.close();
              connection = lock.connect();
              replies = new FrameAssembler(4096, maxFrame);
            }
          }

          const opened = lock.log.filter((e) => e.message === 'UNLOCK' && e.status === 'OK').length;
          assert.equal(lock.unlockCount, opened);
          assert.ok(opened <= realUnlocksSent);
          if (faults.jammed) assert.equal(opened, 0);
          for (const entry of lock.log) {
            if (entry.message === 'UPDATE') assert.ok(entry.status === null && entry.update !== undefined);
            else if (entry.message === 'END') assert.ok(entry.status === null && entry.end !== undefined);
            else assert.ok(entry.status !== null && entry.status in Status);
            reached.add(`${entry.message} ${entry.status ?? entry.update?.outcome ?? entry.end?.reason}`);
          }
        },
      ),
      seeded(0xf022, RUNS),
    );
    // The fuzz is only worth something if it gets deep: through a CHALLENGE to an open door.
    const deep = ['HELLO OK', 'UNLOCK OK', 'UNLOCK JAMMED', 'UNLOCK OUT_OF_ORDER', 'HELLO BUSY', 'HELLO EXPIRED', 'HELLO REVOKED', 'OTHER MALFORMED', 'UPDATE applied', 'UPDATE stale', 'END deadline', 'END disconnected'];
    for (const state of deep) {
      assert.ok(reached.has(state), `never reached ${state}`);
    }
  });
});

const CODES: ReadonlySet<UnlockErrorCode> = new Set([
  ...(Object.keys(Status) as StatusName[]).filter((s) => s !== 'OK').map((s) => `lock_${s.toLowerCase()}` as UnlockErrorCode),
  'lock_unauthenticated',
  'lock_protocol_error',
  'ble_timeout',
  'ble_disconnected',
  'ble_gatt_failed',
  'aborted',
]);

const frame = (seqAndFinal: number, chunk: Uint8Array) => Uint8Array.of(seqAndFinal, ...chunk);

/** One made-up thing the lock could say, as the frames (or failures) the browser reads. */
const replyArb: fc.Arbitrary<Act[]> = fc.oneof(
  // A well-framed message of random bytes.
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.integer({ min: 20, max: 64 }))
    .map(([message, maxFrame]) => splitFrames(message, maxFrame)),
  // A CHALLENGE with some lock_nonce.
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((nonce) => [frame(0x80, encodeChallenge(nonce))]),
  // The vectors' CHALLENGE and OK: a recording of another session.
  fc.constant<Act[]>([frame(0x80, hexToBytes(vectors.challenge)), frame(0x80, hexToBytes(vectors.result_ok))]),
  // A RESULT with any status byte, bare or with a made-up tag (either sealed form).
  fc
    .tuple(
      fc.oneof(fc.integer({ min: 0, max: 0x0d }), fc.nat(255)),
      fc.option(fc.oneof(fc.uint8Array({ minLength: 40, maxLength: 40 }), fc.uint8Array({ minLength: 56, maxLength: 56 }))),
    )
    .map(([status, seal]) => [frame(0x80, Uint8Array.of(0x04, status, ...(seal ?? [])))]),
  // A raw frame: any header, any chunk, or nothing at all.
  fc.uint8Array({ maxLength: 30 }).map((raw) => [raw]),
  // Not ready yet.
  fc.constant<Act[]>([new Uint8Array(0)]),
  // The link fails.
  fc.constantFrom<Act[]>(
    [new TransportError('disconnected', 'gone')],
    [new TransportError('failed', 'gatt')],
    [new RangeError('a transport bug')],
  ),
);

const infoArb: fc.Arbitrary<Act> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.integer({ min: 20, max: 512 }), fc.nat(9)).map(([maxFrame, seq]) => encodeInfo(LOCK_ID, maxFrame, seq)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 28 }) },
  { weight: 1, arbitrary: fc.constant(new TransportError('failed', 'gatt')) },
);

describe('the unlock session, fed random replies', () => {
  test(`ends every conversation in a typed failure, one call at a time (${RUNS} cases)`, async () => {
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        infoArb,
        fc.array(replyArb, { maxLength: 6 }),
        fc.option(fc.nat(12)),
        fc.boolean(),
        async (info, replies, failWriteAt, holdsUpdate) => {
          const transport = new ScriptedTransport({
            info,
            reads: replies.flat(),
            write: (_, index) => (index === failWriteAt ? new TransportError('failed', 'write') : undefined),
          });
          const held = credential(holdsUpdate ? { lockUpdate: hexToBytes(vectors.lock_update) } : {});
          const outcome = await unlockWithTransport(transport, [held], { pollIntervalMs: 0 });
          // Without the credential key nothing the script says can pass for an authenticated OK.
          assert.equal(outcome.ok, false);
          assert.ok(!outcome.ok && CODES.has(outcome.code), JSON.stringify(outcome));
          assert.equal(transport.maxInFlight, 1);
          if (!outcome.ok) reached.add(outcome.code);
        },
      ),
      seeded(0xf023, RUNS),
    );
    const wide = ['lock_protocol_error', 'lock_unauthenticated', 'lock_busy', 'lock_unsupported_version', 'ble_disconnected', 'ble_gatt_failed'];
    for (const code of wide) {
      assert.ok(reached.has(code), `never reached ${code}`);
    }
  });
});
