/** The phone's unlock session against the virtual lock, for every status and every fault. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../src/protocol/bytes.ts';
import { splitFrames } from '../../src/protocol/framing.ts';
import { CHALLENGE_WINDOW_MS } from '../../src/protocol/constants.ts';
import { sealLockUpdate } from '../../src/protocol/lock-update.ts';
import { encodeChallenge, encodeHello, encodeInfo, encodeResult, sealResult } from '../../src/protocol/messages.ts';
import {
  unlockWithTransport,
  type UnlockCredential,
  type UnlockOptions,
  type UnlockOutcome,
  type UnlockStep,
} from '../../src/protocol/session.ts';
import { TransportError, type FrameTransport } from '../../src/protocol/transport.ts';
import { MemoryTransport } from '../../src/testing/memory-transport.ts';
import { VirtualLock, type LockFaults } from '../../src/testing/virtual-lock.ts';
import {
  CREDENTIAL_ID,
  credential,
  credentialKey,
  countingRandom,
  INSIDE_WINDOW_MS,
  LOCK_ID,
  lockKey,
  lockUpdateVector,
  makeTicket,
  manualClock,
  tickingClock,
  ticketVector,
  PHONE_NONCE,
  phoneVectorRandom,
  vectors,
} from './support/fixtures.ts';
import { ScriptedTransport } from './support/scripted-transport.ts';

const OTHER_LOCK_ID = '3fa2c1d0-0000-4000-8000-000000000412';

interface RigOptions {
  lockId?: string;
  now?: () => number;
  faults?: Partial<LockFaults>;
}

/** A lock with the vectors' key, a connection to it and a clock inside the ticket window. */
function rig(maxFrame: number, options: RigOptions = {}) {
  const clock = manualClock();
  const lock = new VirtualLock({
    lockId: options.lockId ?? LOCK_ID,
    lockKey: lockKey(),
    maxFrame,
    now: options.now ?? clock.now,
    randomBytes: countingRandom(),
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const transport = new MemoryTransport(lock);
  const steps: UnlockStep[] = [];
  const unlock = (credentials: UnlockCredential[] = [credential()], extra: UnlockOptions = {}, via: FrameTransport = transport) =>
    unlockWithTransport(via, credentials, {
      pollIntervalMs: 0,
      randomBytes: countingRandom(),
      onStep: (step) => steps.push(step),
      ...extra,
    });
  return { lock, transport, clock, steps, unlock };
}

/** A transport that lets `change` rewrite frames on their way to the lock. */
function tampering(inner: FrameTransport, change: (frame: Uint8Array) => Uint8Array): FrameTransport {
  return {
    readInfo: (s) => inner.readInfo(s),
    writeFrame: (frame, s) => inner.writeFrame(change(frame.slice()), s),
    readFrame: (s) => inner.readFrame(s),
  };
}

function failure(code: string, status?: string): Partial<UnlockOutcome> {
  return { ok: false, code, credentialId: CREDENTIAL_ID, lockId: LOCK_ID, ...(status ? { status } : {}) } as Partial<UnlockOutcome>;
}

const frameCount = (messageLength: number, maxFrame: number) => Math.ceil(messageLength / (maxFrame - 1));

for (const maxFrame of [20, 512]) {
  const helloFrames = frameCount(131, maxFrame);

  describe(`the unlock session at max_frame ${maxFrame}`, () => {
    test('opens the door on an authenticated OK and reports success', async () => {
      const { lock, unlock, steps } = rig(maxFrame);
      assert.deepEqual(await unlock(), { ok: true, credentialId: CREDENTIAL_ID, lockId: LOCK_ID });
      assert.equal(lock.unlockCount, 1);
      assert.deepEqual(steps, ['info', 'hello', 'challenge', 'unlock', 'result']);
      assert.deepEqual(
        lock.log.map((e) => [e.message, e.status, e.credentialId]),
        [
          ['HELLO', 'OK', CREDENTIAL_ID],
          ['UNLOCK', 'OK', CREDENTIAL_ID],
        ],
      );
    });

    test('stays within the GATT budget the spec implies', async () => {
      const { transport, unlock } = rig(maxFrame);
      await unlock();
      // HELLO 131 bytes, CHALLENGE 17, UNLOCK 42, sealed RESULT 42; each frame carries max_frame - 1.
      // 512: 1 info + 1 HELLO write + 1 CHALLENGE read + 1 UNLOCK write + 1 RESULT read = 5.
      // 20: 1 info + 7 HELLO writes + 1 CHALLENGE read + 3 UNLOCK writes + 3 RESULT reads = 15.
      const expected =
        maxFrame === 512 ? { infoReads: 1, frameWrites: 2, frameReads: 2 } : { infoReads: 1, frameWrites: 10, frameReads: 4 };
      assert.deepEqual(transport.counts, expected);
      assert.equal(transport.operations, maxFrame === 512 ? 5 : 15);
    });

    describe('reports each status the lock can send', () => {
      test('BAD_TICKET for a ticket changed in transit, after the HELLO alone', async () => {
        const { lock, transport, unlock } = rig(maxFrame);
        const ticket = ticketVector();
        ticket[60]! ^= 0x40;
        assert.deepEqual(await unlock([credential({ ticket })]), failure('lock_bad_ticket', 'BAD_TICKET'));
        assert.deepEqual(transport.counts, { infoReads: 1, frameWrites: helloFrames, frameReads: 1 });
        assert.equal(lock.unlockCount, 0);
      });

      test('WRONG_LOCK, authenticated, from a reader that shares the key of the ticket’s lock', async () => {
        const { lock, unlock } = rig(maxFrame, { lockId: OTHER_LOCK_ID });
        const outcome = await unlock([credential({ lockId: OTHER_LOCK_ID })]);
        assert.deepEqual(outcome, {
          ok: false,
          code: 'lock_wrong_lock',
          credentialId: CREDENTIAL_ID,
          lockId: OTHER_LOCK_ID,
          status: 'WRONG_LOCK',
        });
        assert.equal(lock.log[0]?.status, 'WRONG_LOCK');
      });

      test('NOT_YET_VALID before the window opens (beyond the skew)', async () => {
        const { unlock } = rig(maxFrame, { now: () => vectors.lock_checks.now_not_yet_valid * 1000 });
        assert.deepEqual(await unlock(), failure('lock_not_yet_valid', 'NOT_YET_VALID'));
      });

      test('EXPIRED after the window closes (beyond the skew)', async () => {
        const { unlock } = rig(maxFrame, { now: () => vectors.lock_checks.now_expired * 1000 });
        assert.deepEqual(await unlock(), failure('lock_expired', 'EXPIRED'));
      });

      test('BAD_PROOF, authenticated, when the UNLOCK is corrupted on the way', async () => {
        const { lock, transport, unlock } = rig(maxFrame);
        let step: UnlockStep | undefined;
        // Flip the last byte of UNLOCK's final frame: part of its tag.
        const corrupt = tampering(transport, (frame) => {
          if (step === 'unlock' && frame[0]! & 0x80) frame[frame.length - 1]! ^= 0x01;
          return frame;
        });
        const outcome = await unlock([credential()], { onStep: (s) => (step = s) }, corrupt);
        assert.deepEqual(outcome, failure('lock_bad_proof', 'BAD_PROOF'));
        assert.equal(lock.unlockCount, 0);
      });

      test('REVOKED for a credential on the lock’s revocation list', async () => {
        const { lock, unlock } = rig(maxFrame);
        lock.revoke(CREDENTIAL_ID.toUpperCase());
        assert.deepEqual(await unlock(), failure('lock_revoked', 'REVOKED'));
      });

      test('FORBIDDEN for a ticket without the unlock permission', async () => {
        const { unlock } = rig(maxFrame);
        assert.deepEqual(await unlock([credential({ ticket: makeTicket({ permissions: 0 }) })]), failure('lock_forbidden', 'FORBIDDEN'));
      });

      test('OUT_OF_ORDER when the UNLOCK comes later than the BUSY bound after the CHALLENGE', async () => {
        const { lock, clock, unlock } = rig(maxFrame);
        const outcome = await unlock([credential()], { onStep: (s) => s === 'unlock' && clock.advance(CHALLENGE_WINDOW_MS) });
        assert.deepEqual(outcome, failure('lock_out_of_order', 'OUT_OF_ORDER'));
        assert.equal(lock.unlockCount, 0);
      });

      test('a HELLO from another connection supersedes a waiting session: the superseded phone gets OUT_OF_ORDER', async () => {
        const { lock, unlock } = rig(maxFrame);
        const rival = lock.connect();
        const outcome = await unlock([credential()], {
          onStep: (s) => {
            // Between the CHALLENGE and the UNLOCK: a whole HELLO from another connection.
            if (s === 'unlock') for (const frame of splitFrames(encodeHello(new Uint8Array(16), makeTicket()), maxFrame)) rival.writeFrame(frame);
          },
        });
        assert.deepEqual(outcome, failure('lock_out_of_order', 'OUT_OF_ORDER'));
        assert.equal(rival.readFrame()[1], 0x02, 'the rival got a CHALLENGE');
        assert.deepEqual(lock.log.find((e) => e.message === 'END')?.end, { reason: 'superseded', by: rival.id });
        assert.equal(lock.unlockCount, 0);
      });

      test('the replay-chain attack: a recorded (or freshly minted) HELLO re-sent as each 2 s window closes, and 40 of 40 guest attempts open', async () => {
        const { lock, clock } = rig(maxFrame);
        const recorded = splitFrames(encodeHello(new Uint8Array(16).fill(7), ticketVector()), maxFrame);
        // Every other time a HELLO minted from the sniffed ticket with a fresh phone nonce instead.
        let minted = 0;
        const replay = () => {
          const attacker = lock.connect();
          const frames = minted++ % 2 === 0 ? recorded : splitFrames(encodeHello(Uint8Array.of(minted, ...new Uint8Array(15)), ticketVector()), maxFrame);
          for (const frame of frames) attacker.writeFrame(frame);
          assert.equal(attacker.readFrame()[1], 0x02 /* CHALLENGE's type byte after the frame header */);
        };
        replay();
        let opened = 0;
        for (let attempt = 0; attempt < 40; attempt++) {
          // A guest taps Unlock at some moment inside the attacker's window...
          const offset = 1 + ((attempt * 737) % (CHALLENGE_WINDOW_MS - 1));
          clock.advance(offset);
          if ((await rigAgain(lock)).ok) opened++;
          // ...and the attacker re-sends the recorded HELLO as each window would close.
          clock.advance(CHALLENGE_WINDOW_MS - offset);
          replay();
        }
        assert.equal(opened, 40);
        assert.equal(lock.unlockCount, 40);
      });

      test('BUSY when the lock says so (busy fault)', async () => {
        const { unlock } = rig(maxFrame, { faults: { busy: true } });
        assert.deepEqual(await unlock(), failure('lock_busy', 'BUSY'));
      });

      test('UNSUPPORTED_VERSION for a ticket whose version byte is changed on the air', async () => {
        const { transport, unlock } = rig(maxFrame);
        const onAir = tampering(transport, (frame) => {
          if (frame[0] === 0x00 || frame[0] === 0x80) frame[18] = 0x01; // HELLO byte 17: the ticket's version
          return frame;
        });
        assert.deepEqual(await unlock([credential()], {}, onAir), failure('lock_unsupported_version', 'UNSUPPORTED_VERSION'));
      });

      test('MALFORMED when a frame’s sequence number is damaged on the way', async () => {
        const { transport, unlock } = rig(maxFrame);
        let first = true;
        const damaged = tampering(transport, (frame) => {
          if (first) frame[0] = frame[0]! | 0x01;
          first = false;
          return frame;
        });
        assert.deepEqual(await unlock([credential()], {}, damaged), failure('lock_malformed', 'MALFORMED'));
      });

      test('JAMMED, authenticated, when the motor fails', async () => {
        const { lock, unlock } = rig(maxFrame, { faults: { jammed: true } });
        assert.deepEqual(await unlock(), failure('lock_jammed', 'JAMMED'));
        assert.equal(lock.unlockCount, 0);
        assert.equal(lock.log.at(-1)?.status, 'JAMMED');
      });
    });

    describe('ends each fault in its clear outcome', () => {
      test('a lock clock ahead past the window: EXPIRED', async () => {
        const { unlock } = rig(maxFrame, {
          now: () => vectors.lock_checks.now_expired_within_skew * 1000,
          faults: { clockOffsetS: 1 },
        });
        assert.deepEqual(await unlock(), failure('lock_expired', 'EXPIRED'));
      });

      test('a lock clock off by less than the skew: still opens', async () => {
        const { unlock } = rig(maxFrame, {
          now: () => vectors.lock_checks.now_not_yet_valid * 1000,
          faults: { clockOffsetS: 1 },
        });
        assert.equal((await unlock()).ok, true);
      });

      test('a slow lock within the step timeout: opens after empty reads', async () => {
        // The lock's clock moves 1 ms each time it is read, so polling lets time pass.
        const { transport, unlock } = rig(maxFrame, { now: tickingClock(1), faults: { replyLatencyMs: 25 } });
        assert.equal((await unlock()).ok, true);
        assert.ok(transport.counts.frameReads > 2 * frameCount(42, maxFrame));
      });

      test('a lock slower than the step timeout: ble_timeout while waiting for the CHALLENGE', async () => {
        const { unlock, steps } = rig(maxFrame, { faults: { replyLatencyMs: 60_000 } });
        assert.deepEqual(await unlock([credential()], { stepTimeoutMs: 30, pollIntervalMs: 1 }), failure('ble_timeout'));
        assert.equal(steps.at(-1), 'challenge');
      });

      test('a lock that hangs at HELLO: ble_timeout, and no UNLOCK is sent', async () => {
        const { lock, transport, unlock, steps } = rig(maxFrame, { faults: { hangAt: 'hello' } });
        assert.deepEqual(await unlock([credential()], { stepTimeoutMs: 30, pollIntervalMs: 1 }), failure('ble_timeout'));
        assert.equal(steps.at(-1), 'challenge');
        assert.equal(transport.counts.frameWrites, helloFrames);
        assert.deepEqual(lock.log, []);
      });

      test('a lock that hangs at UNLOCK: ble_timeout waiting for the RESULT, door shut', async () => {
        const { lock, unlock, steps } = rig(maxFrame, { faults: { hangAt: 'unlock' } });
        assert.deepEqual(await unlock([credential()], { stepTimeoutMs: 30, pollIntervalMs: 1 }), failure('ble_timeout'));
        assert.equal(steps.at(-1), 'result');
        assert.equal(lock.unlockCount, 0);
      });

      test('a lock that drops the link on the first frame: ble_disconnected', async () => {
        const { unlock, steps } = rig(maxFrame, { faults: { disconnectAfterFrames: 0 } });
        assert.deepEqual(await unlock(), failure('ble_disconnected'));
        assert.equal(steps.at(-1), 'hello');
      });

      test('a lock that drops the link after the CHALLENGE: ble_disconnected while sending UNLOCK', async () => {
        const { lock, unlock, steps } = rig(maxFrame, { faults: { disconnectAfterFrames: helloFrames + 1 } });
        assert.deepEqual(await unlock(), failure('ble_disconnected'));
        assert.equal(steps.at(-1), 'unlock');
        assert.equal(lock.unlockCount, 0);
      });

      test('garbage replies: lock_protocol_error', async () => {
        const { unlock } = rig(maxFrame, { faults: { garbageReply: true } });
        assert.deepEqual(await unlock(), failure('lock_protocol_error'));
      });

      test('truncated replies: lock_protocol_error', async () => {
        const { unlock } = rig(maxFrame, { faults: { truncatedReply: true } });
        assert.deepEqual(await unlock(), failure('lock_protocol_error'));
      });

      test('an unauthenticated OK: lock_unauthenticated, never success (even if the bolt moved)', async () => {
        const { lock, unlock } = rig(maxFrame, { faults: { spoofUnauthenticatedOk: true } });
        assert.deepEqual(await unlock(), failure('lock_unauthenticated'));
        assert.equal(lock.unlockCount, 1);
      });

      test('an unauthenticated OK for a refused ticket: lock_unauthenticated', async () => {
        const { unlock } = rig(maxFrame, { faults: { spoofUnauthenticatedOk: true } });
        assert.deepEqual(await unlock([credential({ ticket: makeTicket({ permissions: 0 }) })]), failure('lock_unauthenticated'));
      });
    });

    test('reports a lock it has no credential for without writing to it', async () => {
      const { transport, unlock } = rig(maxFrame, { lockId: OTHER_LOCK_ID });
      assert.deepEqual(await unlock(), { ok: false, code: 'lock_wrong_lock', lockId: OTHER_LOCK_ID });
      assert.deepEqual(transport.counts, { infoReads: 1, frameWrites: 0, frameReads: 0 });
    });

    test('picks the credential for this lock among several (lock ids compared as UUIDs)', async () => {
      const { unlock } = rig(maxFrame);
      const elsewhere = credential({ lockId: OTHER_LOCK_ID, credentialId: '00000000-0000-4000-8000-000000000001' });
      const outcome = await unlock([elsewhere, credential({ lockId: LOCK_ID.toUpperCase() })]);
      assert.deepEqual(outcome, { ok: true, credentialId: CREDENTIAL_ID, lockId: LOCK_ID.toUpperCase() });
    });

    test('cannot vouch for the lock’s answer when its credential key is wrong: lock_unauthenticated', async () => {
      const { lock, unlock } = rig(maxFrame);
      const key = credentialKey();
      key[0]! ^= 0xff;
      assert.deepEqual(await unlock([credential({ credentialKey: key })]), failure('lock_unauthenticated'));
      assert.equal(lock.log.at(-1)?.status, 'BAD_PROOF');
    });
  });
}

describe('carrying lock updates', () => {
  const otherUpdate = (sequence: number, revoked: string[] = []) =>
    sealLockUpdate(lockKey(), { lockId: LOCK_ID, sequence, revoked });

  for (const maxFrame of [20, 512]) {
    test(`at max_frame ${maxFrame}, a lock that is behind gets the update inside the HELLO, and refuses the revoked ticket`, async () => {
      const { lock, transport, unlock } = rig(maxFrame);
      assert.deepEqual(await unlock([credential({ lockUpdate: lockUpdateVector() })]), failure('lock_revoked', 'REVOKED'));
      assert.equal(lock.updateSequence, vectors.inputs.update_sequence);
      assert.deepEqual(lock.log.map((e) => e.message), ['UPDATE', 'HELLO']);
      // HELLO with an update of two entries: 131 + 93 bytes.
      assert.deepEqual(transport.counts, { infoReads: 1, frameWrites: frameCount(224, maxFrame), frameReads: frameCount(58, maxFrame) });
    });

    test(`at max_frame ${maxFrame}, a current lock costs no extra operation`, async () => {
      const { lock, transport, unlock } = rig(maxFrame);
      lock.applyUpdate(otherUpdate(9));
      assert.equal((await unlock([credential({ lockUpdate: otherUpdate(9) })])).ok, true);
      assert.equal(transport.operations, maxFrame === 512 ? 5 : 15);
      assert.deepEqual(lock.log.map((e) => e.message), ['UPDATE', 'HELLO', 'UNLOCK']);
    });
  }

  test('an update that revokes someone else still lets this phone in, and the lock keeps it', async () => {
    const { lock, unlock } = rig(512);
    assert.equal((await unlock([credential({ lockUpdate: otherUpdate(3, [vectors.inputs.other_credential_id]) })])).ok, true);
    assert.deepEqual(lock.revocationList, [vectors.inputs.other_credential_id]);
    assert.equal(lock.updateSequence, 3);
  });

  test('a phone with an older update than the lock’s does not send it', async () => {
    const { lock, transport, unlock } = rig(512);
    lock.applyUpdate(otherUpdate(5));
    assert.equal((await unlock([credential({ lockUpdate: otherUpdate(4, [CREDENTIAL_ID]) })])).ok, true);
    assert.equal(transport.counts.frameWrites, 2);
    assert.equal(lock.updateSequence, 5);
  });

  test('a credential whose lock update is not one is credential_invalid, before any GATT operation', async () => {
    const { transport } = rig(512);
    for (const lockUpdate of [new Uint8Array(60), new Uint8Array(62), Uint8Array.of(0x01, ...lockUpdateVector().subarray(1))]) {
      assert.deepEqual(await unlockWithTransport(transport, [credential({ lockUpdate })]), { ok: false, code: 'credential_invalid' });
    }
    assert.equal(transport.operations, 0);
  });
});

/** A second attempt on the same lock, on a new connection. */
function rigAgain(lock: VirtualLock): Promise<UnlockOutcome> {
  return unlockWithTransport(new MemoryTransport(lock), [credential()], { pollIntervalMs: 0 });
}

describe('the unlock session and its caller', () => {
  test('does nothing when the signal is already aborted', async () => {
    const { transport, unlock } = rig(512);
    assert.deepEqual(await unlock([credential()], { signal: AbortSignal.abort() }), { ok: false, code: 'aborted' });
    assert.equal(transport.operations, 0);
  });

  test('stops promptly when aborted while the lock is silent', async () => {
    const { unlock } = rig(512, { faults: { hangAt: 'hello' } });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    const outcome = await unlock([credential()], { signal: controller.signal, pollIntervalMs: 5_000 });
    assert.deepEqual(outcome, failure('aborted'));
    assert.ok(performance.now() - started < 1_000);
  });

  test('stops promptly when aborted during a transport call that never returns', async () => {
    const transport = new ScriptedTransport({ info: encodeInfo(LOCK_ID, 512, 0), reads: ['hang'] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const outcome = await unlockWithTransport(transport, [credential()], { signal: controller.signal });
    assert.deepEqual(outcome, failure('aborted'));
    assert.deepEqual(transport.calls, ['info', 'write', 'read']);
  });

  test('issues no further call after a step times out on a call that never returns', async () => {
    const transport = new ScriptedTransport({ info: encodeInfo(LOCK_ID, 512, 0), reads: [], write: () => 'hang' });
    const outcome = await unlockWithTransport(transport, [credential()], { stepTimeoutMs: 20 });
    assert.deepEqual(outcome, failure('ble_timeout'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(transport.calls, ['info', 'write']);
    assert.equal(transport.maxInFlight, 1);
  });

  test('never has two transport calls in flight', async () => {
    const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), maxFrame: 20, now: () => INSIDE_WINDOW_MS });
    const memory = new MemoryTransport(lock);
    let inFlight = 0;
    let most = 0;
    const guarded = <T>(call: () => Promise<T>) => async (): Promise<T> => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      try {
        return await call();
      } finally {
        inFlight--;
      }
    };
    const ac = new AbortController();
    const transport: FrameTransport = {
      readInfo: guarded(() => memory.readInfo(ac.signal)),
      writeFrame: (frame) => guarded(() => memory.writeFrame(frame, ac.signal))(),
      readFrame: guarded(() => memory.readFrame(ac.signal)),
    };
    assert.equal((await unlockWithTransport(transport, [credential()], { pollIntervalMs: 0 })).ok, true);
    assert.equal(most, 1);
  });

  describe('maps transport failures', () => {
    const info = encodeInfo(LOCK_ID, 512, 0);
    const cases: Array<[string, Error, string]> = [
      ['a dropped link', new TransportError('disconnected', 'gone'), 'ble_disconnected'],
      ['a failed GATT operation', new TransportError('failed', 'nope'), 'ble_gatt_failed'],
      ['any other error', new DOMException('weird', 'NotSupportedError'), 'ble_gatt_failed'],
    ];
    for (const [what, error, code] of cases) {
      test(`${what} while reading info is ${code}`, async () => {
        const outcome = await unlockWithTransport(new ScriptedTransport({ info: error, reads: [] }), [credential()]);
        assert.deepEqual(outcome, { ok: false, code });
      });
      test(`${what} while writing is ${code}`, async () => {
        const transport = new ScriptedTransport({ info, reads: [], write: () => error });
        assert.deepEqual(await unlockWithTransport(transport, [credential()]), failure(code));
      });
      test(`${what} while reading is ${code}`, async () => {
        const transport = new ScriptedTransport({ info, reads: [error] });
        assert.deepEqual(await unlockWithTransport(transport, [credential()]), failure(code));
      });
    }

    test('a transport that returns no bytes is ble_gatt_failed', async () => {
      const transport = new ScriptedTransport({ info: 'not bytes' as unknown as Uint8Array, reads: [] });
      assert.deepEqual(await unlockWithTransport(transport, [credential()]), { ok: false, code: 'ble_gatt_failed' });
    });
  });

  describe('refuses replies that are not this protocol, or not for this session', () => {
    const info = encodeInfo(LOCK_ID, 512, 0);
    const final = (message: Uint8Array) => Uint8Array.of(0x80, ...message);
    const challenge = final(encodeChallenge(new Uint8Array(16).fill(7)));
    const cases: Array<[string, Uint8Array[], string]> = [
      ['an unknown message type', [final(Uint8Array.of(0x05, 0x00))], 'lock_protocol_error'],
      ['a CHALLENGE one byte short', [final(encodeChallenge(new Uint8Array(16)).subarray(0, 16))], 'lock_protocol_error'],
      ['a RESULT with an unknown status', [final(Uint8Array.of(0x04, 0x0d))], 'lock_protocol_error'],
      ['a RESULT of 3 bytes', [final(Uint8Array.of(0x04, 0x00, 0x00))], 'lock_protocol_error'],
      ['a sealed RESULT for a never-sealed status', [final(Uint8Array.of(0x04, 0x01, ...new Uint8Array(40)))], 'lock_protocol_error'],
      ['a second CHALLENGE instead of the RESULT', [challenge, challenge], 'lock_protocol_error'],
      ['a reply frame with sequence 1 first', [Uint8Array.of(0x81, 0x04, 0x00)], 'lock_protocol_error'],
      ['an empty chunk', [Uint8Array.of(0x80)], 'lock_protocol_error'],
      ['a reply longer than any reply there is', Array.from({ length: 59 }, (_, i) => Uint8Array.of(i, 0x04)), 'lock_protocol_error'],
      ['an unauthenticated OK before the CHALLENGE', [final(Uint8Array.of(0x04, 0x00))], 'lock_unauthenticated'],
      ['an unauthenticated EXPIRED before the CHALLENGE', [final(Uint8Array.of(0x04, 0x04))], 'lock_unauthenticated'],
      ['an unauthenticated OK after the CHALLENGE', [challenge, final(Uint8Array.of(0x04, 0x00))], 'lock_unauthenticated'],
      ['an OK recorded from another session (another phone nonce)', [challenge, final(recordedOk('unlock'))], 'lock_unauthenticated'],
      ['an OK sealed with an all-zero phone nonce (IK1’s mistake)', [challenge, final(recordedOk('unlock', new Uint8Array(16)))], 'lock_unauthenticated'],
      ['an OK in the HELLO-refusal form after the CHALLENGE', [challenge, final(recordedOk('hello', PHONE_NONCE()))], 'lock_unauthenticated'],
      ['an authenticated OK before any CHALLENGE', [final(recordedOk('hello', PHONE_NONCE()))], 'lock_unauthenticated'],
      ['a REVOKED recorded from another session', [final(recordedRefusal('REVOKED', 'hello'))], 'lock_unauthenticated'],
      ['a REVOKED in the UNLOCK-answer form before any CHALLENGE', [final(recordedRefusal('REVOKED', 'unlock', PHONE_NONCE()))], 'lock_unauthenticated'],
    ];
    for (const [what, reads, code] of cases) {
      test(`${what}: ${code}`, async () => {
        const transport = new ScriptedTransport({ info, reads });
        // The vectors' phone nonce: what is refused is refused for its own reason, not for the nonce.
        const outcome = await unlockWithTransport(transport, [credential()], { pollIntervalMs: 0, randomBytes: phoneVectorRandom() });
        assert.deepEqual(outcome, failure(code));
      });
    }

    test('an OK sealed for this session counts (the check above is not vacuous)', async () => {
      const transport = new ScriptedTransport({ info, reads: [challenge, final(recordedOk('unlock', PHONE_NONCE()))] });
      assert.equal((await unlockWithTransport(transport, [credential()], { randomBytes: phoneVectorRandom() })).ok, true);
    });

    test('a REVOKED sealed for this session’s phone nonce counts', async () => {
      const transport = new ScriptedTransport({ info, reads: [final(recordedRefusal('REVOKED', 'hello', PHONE_NONCE()))] });
      const outcome = await unlockWithTransport(transport, [credential()], { randomBytes: phoneVectorRandom() });
      assert.deepEqual(outcome, failure('lock_revoked', 'REVOKED'));
    });

    test('an unauthenticated OUT_OF_ORDER before the CHALLENGE is reported as such', async () => {
      const transport = new ScriptedTransport({ info, reads: [final(encodeResult('OUT_OF_ORDER'))] });
      assert.deepEqual(await unlockWithTransport(transport, [credential()]), failure('lock_out_of_order', 'OUT_OF_ORDER'));
    });
  });

  describe('judges the info characteristic', () => {
    const cases: Array<[string, Uint8Array, string]> = [
      ['empty', new Uint8Array(0), 'lock_protocol_error'],
      ['one byte short', encodeInfo(LOCK_ID, 512, 0).subarray(0, 22), 'lock_protocol_error'],
      ['one byte long', Uint8Array.of(...encodeInfo(LOCK_ID, 512, 0), 0), 'lock_protocol_error'],
      ['of version 1', hexToBytes(`01${LOCK_ID.replaceAll('-', '')}0200`), 'lock_unsupported_version'],
      ['of version 3', Uint8Array.of(0x03, ...encodeInfo(LOCK_ID, 512, 0).subarray(1)), 'lock_unsupported_version'],
      ['with max_frame 19', hexToBytes(`02${LOCK_ID.replaceAll('-', '')}001300000000`), 'lock_protocol_error'],
      ['with max_frame 513', hexToBytes(`02${LOCK_ID.replaceAll('-', '')}020100000000`), 'lock_protocol_error'],
    ];
    for (const [what, info, code] of cases) {
      test(`${what}: ${code}, nothing written`, async () => {
        const transport = new ScriptedTransport({ info, reads: [] });
        const outcome = await unlockWithTransport(transport, [credential()]);
        assert.equal(outcome.ok, false);
        assert.equal(!outcome.ok && outcome.code, code);
        assert.deepEqual(transport.calls, ['info']);
      });
    }
  });

  test('draws a fresh phone nonce for every attempt and sends it in the HELLO', async () => {
    const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS });
    const hellos: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const memory = new MemoryTransport(lock);
      const recording = tampering(memory, (frame) => {
        if (hellos.length === attempt) hellos.push(bytesToHex(frame));
        return frame;
      });
      assert.equal((await unlockWithTransport(recording, [credential()], { pollIntervalMs: 0 })).ok, true);
      memory.disconnect();
    }
    const nonces = hellos.map((h) => h.slice(4, 36));
    assert.equal(new Set(nonces).size, 3);
    assert.ok(hellos.every((h) => h.slice(36, 36 + 228) === vectors.ticket), 'the same ticket each time');
  });

  test('ignores an onStep callback that throws', async () => {
    const { unlock } = rig(512);
    const outcome = await unlock([credential()], {
      onStep: () => {
        throw new Error('host bug');
      },
    });
    assert.equal(outcome.ok, true);
  });

  describe('never throws for a malformed credential: credential_invalid, nothing sent', () => {
    const cases: [string, Partial<UnlockCredential>][] = [
      ['a credential key of the wrong length', { credentialKey: new Uint8Array(31) }],
      ['a ticket that is not bytes', { ticket: bytesToHex(ticketVector()) as unknown as Uint8Array }],
      ['a ticket one byte short', { ticket: ticketVector().subarray(1) }],
      ['a ticket whose version byte is not 0x02', { ticket: Uint8Array.of(0x01, ...ticketVector().subarray(1)) }],
      ['a lock id that is not a UUID', { lockId: 'room-412' }],
      ['a credential id that is not a UUID', { credentialId: 42 as unknown as string }],
    ];
    for (const [what, change] of cases) {
      test(what, async () => {
        const { transport } = rig(512);
        assert.deepEqual(await unlockWithTransport(transport, [credential(change)]), { ok: false, code: 'credential_invalid' });
        assert.equal(transport.operations, 0);
      });
    }
    test('a list that is not an array', async () => {
      const { transport } = rig(512);
      const outcome = await unlockWithTransport(transport, null as unknown as UnlockCredential[]);
      assert.deepEqual(outcome, { ok: false, code: 'credential_invalid' });
    });
  });

  describe('rejects misuse of its options with typed errors', () => {
    test('a step timeout of 0 is a RangeError', async () => {
      const { transport } = rig(512);
      await assert.rejects(unlockWithTransport(transport, [credential()], { stepTimeoutMs: 0 }), RangeError);
    });
  });
});

/** A binding for the scripted CHALLENGE's lock nonce and `phoneNonce` (default: some other session's). */
function scriptedBinding(phoneNonce: Uint8Array) {
  return { credentialKey: credentialKey(), credentialId: CREDENTIAL_ID, phoneNonce, lockNonce: new Uint8Array(16).fill(7) };
}

/** An OK sealed with the credential key, as a recording of another session holds. */
function recordedOk(form: 'hello' | 'unlock', phoneNonce: Uint8Array = new Uint8Array(16).fill(9)): Uint8Array {
  return sealResult('OK', scriptedBinding(phoneNonce), form);
}

function recordedRefusal(status: 'REVOKED', form: 'hello' | 'unlock', phoneNonce: Uint8Array = new Uint8Array(16).fill(9)): Uint8Array {
  return sealResult(status, scriptedBinding(phoneNonce), form);
}
