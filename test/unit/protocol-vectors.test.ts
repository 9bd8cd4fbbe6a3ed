/** Every known-answer vector in test/vectors.json, through the browser side and the lock side. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bytesToHex, hexToBytes } from '../../src/protocol/bytes.ts';
import { FrameAssembler, splitFrames } from '../../src/protocol/framing.ts';
import {
  authenticateResult,
  encodeChallenge,
  encodeHello,
  encodeResult,
  encodeUnlock,
  openUnlock,
  parseReply,
  parseRequest,
  sealResult,
  type ResultReply,
  type SessionBinding,
} from '../../src/protocol/messages.ts';
import { unlockWithTransport } from '../../src/protocol/session.ts';
import { Status, statusName, type StatusName } from '../../src/protocol/status.ts';
import { openTicket, sealTicket } from '../../src/protocol/ticket.ts';
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
  lockVectorRandom,
  RESULT_NONCE,
  ticketContents,
  ticketVector,
  UNLOCK_NONCE,
  vectors,
} from './support/fixtures.ts';

const hex = bytesToHex;
const checks = vectors.lock_checks;

function binding(lockNonce: Uint8Array = LOCK_NONCE()): SessionBinding {
  return { credentialKey: credentialKey(), credentialId: CREDENTIAL_ID, lockNonce };
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

describe('status codes', () => {
  test('match the vectors, name for code and code for name', () => {
    assert.deepEqual({ ...Status }, vectors.status_codes);
    for (const [name, code] of Object.entries(vectors.status_codes)) assert.equal(statusName(code), name);
    assert.equal(statusName(0x0d), undefined);
  });
});

describe('ticket', () => {
  test('the server seals the vector ticket from the inputs', () => {
    const sealed = sealTicket(lockKey(), ticketContents(), hexToBytes(vectors.inputs.ticket_nonce));
    assert.equal(hex(sealed), vectors.ticket);
  });

  test('the lock opens the vector ticket to the inputs', () => {
    const opened = openTicket(lockKey(), ticketVector());
    assert.ok(opened.ok);
    assert.deepEqual(opened.ticket, ticketContents());
  });

  test('the permissions-0 ticket seals to its vector and the lock answers it FORBIDDEN', () => {
    const sealed = sealTicket(lockKey(), ticketContents({ permissions: 0 }), hexToBytes(vectors.inputs.ticket_nonce));
    assert.equal(hex(sealed), vectors.ticket_with_permissions_0);
    const reply = asResult(parseReply(vectorLock().exchange(encodeHello(sealed))));
    assert.equal(reply.status, checks.permissions_0_status);
    assert.ok(authenticateResult(reply, binding(new Uint8Array(16))));
  });
});

describe('messages', () => {
  test('HELLO is 0x01 and the ticket, and the lock finds the ticket in it', () => {
    const hello = encodeHello(ticketVector());
    assert.equal(hex(hello), vectors.hello);
    const request = parseRequest(hexToBytes(vectors.hello));
    assert.equal(request.type, 'hello');
    assert.equal(hex((request as { ticket: Uint8Array }).ticket), vectors.ticket);
  });

  test('the lock answers the vector HELLO with the vector CHALLENGE', () => {
    assert.equal(hex(vectorLock().exchange(hexToBytes(vectors.hello))), vectors.challenge);
    assert.equal(hex(encodeChallenge(LOCK_NONCE())), vectors.challenge);
    const reply = parseReply(hexToBytes(vectors.challenge));
    assert.deepEqual(reply, { type: 'challenge', lockNonce: LOCK_NONCE() });
  });

  test('the browser seals the vector UNLOCK and the lock opens it to the unlock command', () => {
    assert.equal(hex(encodeUnlock(binding(), UNLOCK_NONCE())), vectors.unlock);
    assert.deepEqual(openUnlock(hexToBytes(vectors.unlock), binding()), { ok: true, command: 0x01 });
  });

  test('the lock answers the vector UNLOCK with the vector RESULT OK, which authenticates', () => {
    const lock = vectorLock();
    lock.exchange(hexToBytes(vectors.hello));
    assert.equal(hex(lock.exchange(hexToBytes(vectors.unlock))), vectors.result_ok);
    assert.equal(lock.unlockCount, 1);
    assert.equal(hex(sealResult('OK', binding(), RESULT_NONCE())), vectors.result_ok);
    const reply = asResult(parseReply(hexToBytes(vectors.result_ok)));
    assert.equal(reply.status, 'OK');
    assert.ok(authenticateResult(reply, binding()));
  });

  test('an expired ticket gets the vector RESULT, authenticated with an all-zero lock_nonce', () => {
    const lock = vectorLock(checks.now_expired);
    assert.equal(hex(lock.exchange(hexToBytes(vectors.hello))), vectors.result_expired_before_challenge);
    const reply = asResult(parseReply(hexToBytes(vectors.result_expired_before_challenge)));
    assert.equal(reply.status, 'EXPIRED');
    assert.ok(authenticateResult(reply, binding(new Uint8Array(16))));
    assert.equal(authenticateResult(reply, binding(LOCK_NONCE())), false);
  });

  test('a tampered ticket gets the 2-byte vector RESULT BAD_TICKET', () => {
    const tampered = ticketVector();
    tampered[50]! ^= 0x01;
    const reply = vectorLock().exchange(encodeHello(tampered));
    assert.equal(hex(reply), vectors.result_bad_ticket);
    assert.equal(checks.tampered_ticket_status, 'BAD_TICKET');
    assert.equal(hex(encodeResult('BAD_TICKET')), vectors.result_bad_ticket);
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
      const assembler = new FrameAssembler();
      const results = frames.map((frame) => assembler.push(hexToBytes(frame)).kind);
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
        assert.ok(authenticateResult(result, binding(new Uint8Array(16))));
      }
    });
  }

  test('a lock sharing the key but with another lock_id answers WRONG_LOCK, authenticated', () => {
    const neighbour = vectorLock(checks.now_inside_window, { lockId: '9f1c2a44-5b6d-4e7f-8a90-b1c2d3e4f507' });
    const result = asResult(parseReply(neighbour.exchange(hexToBytes(vectors.hello))));
    assert.equal(result.status, checks.wrong_lock_id_status);
    assert.ok(authenticateResult(result, binding(new Uint8Array(16))));
  });
});

describe('both sides together', () => {
  test('a full unlock puts exactly the vector bytes on the air', async () => {
    const lock = vectorLock();
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
    const outcome = await unlockWithTransport(recording, [credential()], { randomBytes: () => UNLOCK_NONCE() });
    assert.deepEqual(outcome, { ok: true, credentialId: CREDENTIAL_ID, lockId: LOCK_ID });
    // Frames at 512: each message is one FINAL frame, header 0x80.
    assert.deepEqual(written, [`80${vectors.hello}`, `80${vectors.unlock}`]);
    assert.deepEqual(read, [`80${vectors.challenge}`, `80${vectors.result_ok}`]);
  });
});
