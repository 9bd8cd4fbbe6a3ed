/** Every known-answer vector in test/vectors.json, through the phone side and the lock side. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../src/protocol/bytes.ts';
import { FrameAssembler, splitFrames } from '../../src/protocol/framing.ts';
import { judgeLockUpdate, lockUpdateSequence, openLockUpdate, sealLockUpdate } from '../../src/protocol/lock-update.ts';
import {
  authenticateResult,
  encodeChallenge,
  encodeHello,
  encodeInfo,
  encodeResult,
  encodeUnlock,
  openUnlock,
  parseInfo,
  parseReply,
  parseRequest,
  sealResult,
  type ResultReply,
  type SessionBinding,
} from '../../src/protocol/messages.ts';
import { unlockWithTransport } from '../../src/protocol/session.ts';
import { Status, statusName, type StatusName } from '../../src/protocol/status.ts';
import { openTicket, sealTicket, TICKET_AAD } from '../../src/protocol/ticket.ts';
import type { FrameTransport } from '../../src/protocol/transport.ts';
import { MemoryTransport } from '../../src/testing/memory-transport.ts';
import { VirtualLock } from '../../src/testing/virtual-lock.ts';
import {
  CREDENTIAL_ID,
  credential,
  credentialKey,
  LOCK_ID,
  LOCK_NONCE,
  lockKey,
  lockUpdateVector,
  lockVectorRandom,
  PHONE_NONCE,
  phoneVectorRandom,
  RESULT_NONCE,
  ticketContents,
  ticketVector,
  UNLOCK_NONCE,
  vectors,
} from './support/fixtures.ts';

const hex = bytesToHex;
const checks = vectors.lock_checks;
const i = vectors.inputs;

function binding(lockNonce: Uint8Array = LOCK_NONCE()): SessionBinding {
  return { credentialKey: credentialKey(), credentialId: CREDENTIAL_ID, phoneNonce: PHONE_NONCE(), lockNonce };
}

function vectorLock(nowS: number = checks.now_inside_window, options: { lockId?: string; maxFrame?: number } = {}) {
  return new VirtualLock({
    lockId: options.lockId ?? LOCK_ID,
    lockKey: lockKey(),
    now: () => nowS * 1000,
    randomBytes: lockVectorRandom(),
    ...(options.maxFrame ? { maxFrame: options.maxFrame } : {}),
  });
}

function asResult(reply: ReturnType<typeof parseReply>): ResultReply {
  assert.equal(reply.type, 'result');
  return reply as ResultReply;
}

describe('the vectors file', () => {
  test('is exactly what scripts/vectors.ts generates from its inputs', () => {
    const script = fileURLToPath(new URL('../../scripts/vectors.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, '--check'], { encoding: 'utf8' });
    assert.match(out, /up to date/);
  });
});

describe('status codes', () => {
  test('match the vectors, name for code and code for name', () => {
    assert.deepEqual({ ...Status }, vectors.status_codes);
    for (const [name, code] of Object.entries(vectors.status_codes)) assert.equal(statusName(code), name);
    assert.equal(statusName(0x0d), undefined);
  });
});

describe('info', () => {
  test('a lock without updates publishes the vector info, and the phone reads it', () => {
    assert.equal(hex(vectorLock().info()), vectors.info);
    assert.deepEqual(parseInfo(hexToBytes(vectors.info)), { ok: true, version: 2, lockId: LOCK_ID, maxFrame: i.max_frame, updateSequence: 0 });
  });

  test('after the vector update it publishes sequence 7', () => {
    const lock = vectorLock();
    assert.equal(lock.applyUpdate(lockUpdateVector()), 'applied');
    assert.equal(hex(lock.info()), vectors.info_after_update);
    assert.equal(hex(encodeInfo(LOCK_ID, 512, i.update_sequence)), vectors.info_after_update);
  });
});

describe('ticket', () => {
  test('its associated data is the label and the version byte', () => {
    assert.equal(hex(TICKET_AAD), vectors.aad.ticket);
  });

  test('the server seals the vector ticket from the inputs', () => {
    const sealed = sealTicket(lockKey(), ticketContents(), hexToBytes(i.ticket_nonce));
    assert.equal(hex(sealed), vectors.ticket);
  });

  test('the lock opens the vector ticket to the inputs', () => {
    const opened = openTicket(lockKey(), ticketVector());
    assert.ok(opened.ok);
    assert.deepEqual(opened.ticket, ticketContents());
  });

  test('the permissions-0 ticket seals to its vector and the lock answers it FORBIDDEN', () => {
    const sealed = sealTicket(lockKey(), ticketContents({ permissions: 0 }), hexToBytes(i.ticket_nonce_permissions_0));
    assert.equal(hex(sealed), vectors.ticket_with_permissions_0);
    const reply = asResult(parseReply(vectorLock().exchange(encodeHello(PHONE_NONCE(), sealed))));
    assert.equal(reply.status, checks.permissions_0_status);
    assert.ok(authenticateResult(reply, binding()));
  });
});

describe('lock update', () => {
  const update = lockUpdateVector();

  test('the server seals the vector update, whose header the phone can read', () => {
    const sealed = sealLockUpdate(
      lockKey(),
      { lockId: LOCK_ID, sequence: i.update_sequence, revoked: [i.other_credential_id, CREDENTIAL_ID] },
      hexToBytes(i.update_nonce),
    );
    assert.equal(hex(sealed), vectors.lock_update);
    assert.equal(lockUpdateSequence(update), i.update_sequence);
    assert.equal(vectors.aad.lock_update, `494b324c${vectors.lock_update.slice(0, 10)}`);
  });

  test('the lock opens it to its list', () => {
    assert.deepEqual(openLockUpdate(lockKey(), update), {
      ok: true,
      update: { lockId: LOCK_ID, sequence: i.update_sequence, revoked: [i.other_credential_id, CREDENTIAL_ID] },
    });
  });

  for (const check of vectors.update_checks) {
    test(`${check.why}: ${check.outcome}`, () => {
      const bytes = hexToBytes(vectors[check.update as 'lock_update']);
      const judged = judgeLockUpdate(lockKey(), LOCK_ID, check.held_sequence, bytes);
      assert.equal(judged.ok ? 'applied' : judged.reason, check.outcome);
      const lock = vectorLock();
      if (check.held_sequence > 0) assert.equal(lock.applyUpdate(update), 'applied');
      assert.equal(lock.applyUpdate(bytes), check.outcome);
      assert.equal(lock.updateSequence, check.sequence_after);
      assert.deepEqual(lock.log.at(-1)?.update, { sequence: bytes.length >= 5 ? Number.parseInt(hex(bytes.subarray(1, 5)), 16) : null, outcome: check.outcome });
    });
  }
});

describe('messages', () => {
  test('HELLO is 0x01, the phone nonce and the ticket, and the lock finds both in it', () => {
    const hello = encodeHello(PHONE_NONCE(), ticketVector());
    assert.equal(hex(hello), vectors.hello);
    const request = parseRequest(hexToBytes(vectors.hello));
    assert.deepEqual(request, { type: 'hello', phoneNonce: PHONE_NONCE(), ticket: ticketVector(), lockUpdate: null });
  });

  test('HELLO with the update carries it after the ticket', () => {
    assert.equal(hex(encodeHello(PHONE_NONCE(), ticketVector(), lockUpdateVector())), vectors.hello_with_update);
    const request = parseRequest(hexToBytes(vectors.hello_with_update));
    assert.equal(request.type === 'hello' && request.lockUpdate && hex(request.lockUpdate), vectors.lock_update);
  });

  test('the lock answers the vector HELLO with the vector CHALLENGE', () => {
    assert.equal(hex(vectorLock().exchange(hexToBytes(vectors.hello))), vectors.challenge);
    assert.equal(hex(encodeChallenge(LOCK_NONCE())), vectors.challenge);
    assert.deepEqual(parseReply(hexToBytes(vectors.challenge)), { type: 'challenge', lockNonce: LOCK_NONCE() });
  });

  test('the phone seals the vector UNLOCK and the lock opens it to the unlock command', () => {
    assert.equal(hex(encodeUnlock(binding(), UNLOCK_NONCE())), vectors.unlock);
    assert.deepEqual(openUnlock(hexToBytes(vectors.unlock), binding()), { ok: true, command: 0x01 });
    assert.equal(vectors.aad.unlock.slice(0, 10), '494b325502');
  });

  test('the lock answers the vector UNLOCK with the vector RESULT OK, which authenticates', () => {
    const lock = vectorLock();
    lock.exchange(hexToBytes(vectors.hello));
    assert.equal(hex(lock.exchange(hexToBytes(vectors.unlock))), vectors.result_ok);
    assert.equal(lock.unlockCount, 1);
    assert.equal(hex(sealResult('OK', binding(), 'unlock', RESULT_NONCE())), vectors.result_ok);
    const reply = asResult(parseReply(hexToBytes(vectors.result_ok)));
    assert.equal(reply.status, 'OK');
    assert.equal(reply.seal?.lockNonce, null);
    assert.ok(authenticateResult(reply, binding()));
  });

  test('an expired ticket gets the vector RESULT, naming and bound to the lock nonce', () => {
    const lock = vectorLock(checks.now_expired);
    assert.equal(hex(lock.exchange(hexToBytes(vectors.hello))), vectors.result_expired_before_challenge);
    const reply = asResult(parseReply(hexToBytes(vectors.result_expired_before_challenge)));
    assert.equal(reply.status, 'EXPIRED');
    assert.deepEqual(reply.seal?.lockNonce, LOCK_NONCE());
    assert.ok(authenticateResult(reply, binding()));
    assert.equal(authenticateResult(reply, { ...binding(), phoneNonce: new Uint8Array(16) }), false, 'bound to the phone nonce');
  });

  test('the HELLO with the update gets the vector REVOKED: the update applies before the ticket is judged', () => {
    const lock = vectorLock();
    assert.equal(hex(lock.exchange(hexToBytes(vectors.hello_with_update))), vectors.result_revoked_by_update);
    const reply = asResult(parseReply(hexToBytes(vectors.result_revoked_by_update)));
    assert.equal(reply.status, 'REVOKED');
    assert.ok(authenticateResult(reply, binding()));
    assert.deepEqual(lock.revocationList, [CREDENTIAL_ID, i.other_credential_id].sort());
  });

  test('a tampered ticket gets the 2-byte vector RESULT BAD_TICKET; BUSY is 2 bytes too', () => {
    const tampered = ticketVector();
    tampered[50]! ^= 0x01;
    const reply = vectorLock().exchange(encodeHello(PHONE_NONCE(), tampered));
    assert.equal(hex(reply), vectors.result_bad_ticket);
    assert.equal(checks.tampered_ticket_status, 'BAD_TICKET');
    assert.equal(hex(encodeResult('BAD_TICKET')), vectors.result_bad_ticket);
    assert.equal(hex(encodeResult('BUSY')), vectors.result_busy);
    assert.deepEqual(parseReply(reply), { type: 'result', status: 'BAD_TICKET', seal: null });
  });
});

describe('framing vectors', () => {
  const f = vectors.frames;

  for (const [maxFrame, frames] of [
    [20, f.hello_max_frame_20],
    [64, f.hello_max_frame_64],
  ] as const) {
    test(`HELLO splits into the vector frames at max_frame ${maxFrame} and the lock reassembles them`, () => {
      assert.deepEqual(splitFrames(hexToBytes(vectors.hello), maxFrame).map(hex), frames);
      const lock = vectorLock(checks.now_inside_window, { maxFrame });
      const connection = lock.connect();
      for (const frame of frames) connection.writeFrame(hexToBytes(frame));
      const challenge = splitFrames(hexToBytes(vectors.challenge), maxFrame).map(hex);
      assert.deepEqual([hex(connection.readFrame())], challenge);
      assert.equal(connection.readFrame().length, 0);
    });
  }

  test('HELLO with the update is one frame at max_frame 512: no extra GATT operation', () => {
    assert.deepEqual(splitFrames(hexToBytes(vectors.hello_with_update), 512).map(hex), f.hello_with_update_max_frame_512);
    assert.equal(f.hello_with_update_max_frame_512.length, 1);
  });

  test('msg38 splits into its two vector frames at max_frame 20 and reassembles', () => {
    assert.deepEqual(splitFrames(hexToBytes(f.msg38), 20).map(hex), f.msg38_max_frame_20);
    const assembler = new FrameAssembler();
    assert.deepEqual(assembler.push(hexToBytes(f.msg38_max_frame_20[0]!)), { kind: 'partial' });
    assert.deepEqual(assembler.push(hexToBytes(f.msg38_max_frame_20[1]!)), { kind: 'message', message: hexToBytes(f.msg38) });
  });

  for (const { why, frames } of f.malformed_sequences_max_frame_20) {
    test(`the lock answers MALFORMED: ${why}`, () => {
      const connection = vectorLock(checks.now_inside_window, { maxFrame: 20 }).connect();
      for (const frame of frames) connection.writeFrame(hexToBytes(frame));
      assert.equal(hex(connection.readFrame()), '80040b'); // one FINAL frame: RESULT MALFORMED
      // The reference lock's own limits: 2048 bytes, frames of at most max_frame 20.
      const assembler = new FrameAssembler(2048, 20);
      const results = frames.map((frame) => assembler.push(hexToBytes(frame)).kind);
      assert.ok(results.slice(0, -1).every((kind) => kind === 'partial'), 'only the last frame breaks the message');
      assert.equal(results.at(-1), 'malformed');
    });
  }
});

describe('lock checks', () => {
  const cases: Array<[string, number, StatusName | 'CHALLENGE']> = [
    ['inside the window', checks.now_inside_window, 'CHALLENGE'],
    ['61 s after not_after', checks.now_expired, 'EXPIRED'],
    ['60 s after not_after (within skew)', checks.now_expired_within_skew, 'CHALLENGE'],
    ['61 s before not_before', checks.now_not_yet_valid, 'NOT_YET_VALID'],
    ['60 s before not_before (within skew)', checks.now_not_yet_valid_within_skew, 'CHALLENGE'],
  ];
  for (const [when, nowS, expected] of cases) {
    test(`at ${nowS}, ${when}, the lock answers ${expected}`, () => {
      const reply = parseReply(vectorLock(nowS).exchange(hexToBytes(vectors.hello)));
      if (expected === 'CHALLENGE') assert.equal(reply.type, 'challenge');
      else {
        const result = asResult(reply);
        assert.equal(result.status, expected);
        assert.ok(authenticateResult(result, binding()));
      }
    });
  }

  test('a lock sharing the key but with another lock_id answers WRONG_LOCK, authenticated', () => {
    const neighbour = vectorLock(checks.now_inside_window, { lockId: i.other_lock_id });
    const result = asResult(parseReply(neighbour.exchange(hexToBytes(vectors.hello))));
    assert.equal(result.status, checks.wrong_lock_id_status);
    assert.ok(authenticateResult(result, binding()));
  });

  test(`a session without its UNLOCK ${checks.challenge_window_ms} ms after the CHALLENGE is over`, () => {
    let now = checks.now_inside_window * 1000;
    const lock = new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => now, randomBytes: lockVectorRandom() });
    lock.exchange(hexToBytes(vectors.hello));
    now += checks.challenge_window_ms;
    assert.deepEqual(parseReply(lock.exchange(hexToBytes(vectors.unlock))), { type: 'result', status: 'OUT_OF_ORDER', seal: null });
    assert.equal(lock.unlockCount, 0);
  });
});

describe('both sides together', () => {
  async function recordedUnlock(lock: VirtualLock, withUpdate: boolean) {
    const memory = new MemoryTransport(lock);
    const written: string[] = [];
    const read: string[] = [];
    const recording: FrameTransport = {
      readInfo: (s) => memory.readInfo(s),
      writeFrame: (frame, s) => (written.push(hex(frame)), memory.writeFrame(frame, s)),
      readFrame: async (s) => {
        const frame = await memory.readFrame(s);
        read.push(hex(frame));
        return frame;
      },
    };
    const held = credential(withUpdate ? { lockUpdate: lockUpdateVector() } : {});
    const outcome = await unlockWithTransport(recording, [held], { randomBytes: phoneVectorRandom() });
    return { outcome, written, read, operations: memory.operations };
  }

  test('a full unlock puts exactly the vector bytes on the air', async () => {
    const { outcome, written, read, operations } = await recordedUnlock(vectorLock(), false);
    assert.deepEqual(outcome, { ok: true, credentialId: CREDENTIAL_ID, lockId: LOCK_ID });
    // Frames at 512: each message is one FINAL frame, header 0x80.
    assert.deepEqual(written, [`80${vectors.hello}`, `80${vectors.unlock}`]);
    assert.deepEqual(read, [`80${vectors.challenge}`, `80${vectors.result_ok}`]);
    assert.equal(operations, 5);
  });

  test('a phone holding the update carries it to a lock that is behind, in the same five operations', async () => {
    const lock = vectorLock();
    const { outcome, written, operations } = await recordedUnlock(lock, true);
    assert.deepEqual(outcome, { ok: false, code: 'lock_revoked', credentialId: CREDENTIAL_ID, lockId: LOCK_ID, status: 'REVOKED' });
    assert.deepEqual(written, [`80${vectors.hello_with_update}`]);
    assert.equal(lock.updateSequence, i.update_sequence);
    assert.equal(operations, 3);
  });

  test('and does not carry it to a lock that already holds it', async () => {
    const lock = vectorLock();
    lock.applyUpdate(lockUpdateVector());
    const { written } = await recordedUnlock(lock, true);
    assert.deepEqual(written, [`80${vectors.hello}`]);
  });
});
