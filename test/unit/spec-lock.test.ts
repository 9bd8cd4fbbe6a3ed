/**
 * The clean-room lock (test/unit/support/spec-lock.ts, written from docs/protocol.md alone)
 * against the known answers in test/vectors.json, then against the element's real client.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  concat,
  frame,
  resultAad,
  seal,
  SpecLock,
  STATUS,
  ticketAad,
  unlockAad,
  updateAad,
  uuidBytes,
  memoryStore,
  type AuditEntry,
  type LockClock,
  type SpecConnection,
} from './support/spec-lock.ts';
import { sealLockUpdate, sealTicket } from './support/spec-issuer.ts';

const V = JSON.parse(readFileSync(new URL('../vectors.json', import.meta.url), 'utf8'));
const I = V.inputs;
const C = V.lock_checks;

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** A clock the test moves by hand; timers fire as it passes them. */
export class ManualClock implements LockClock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.ms + ms, fn });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const until = this.ms + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.ms = due[1].at;
      due[1].fn();
    }
    this.ms = until;
  }
}

/** The vectors' random source: `lock_nonce` for 16 bytes, `result_nonce` for 24 (§13). */
const vectorRandom = (n: number): Uint8Array => {
  if (n === 16) return unhex(I.lock_nonce);
  if (n === 24) return unhex(I.result_nonce);
  throw new Error(`unexpected random(${n})`);
};

function vectorLock(opts: { atS?: number; maxFrame?: number; sequence?: number; revoked?: string[] } = {}) {
  const clock = new ManualClock((opts.atS ?? C.now_inside_window) * 1000);
  const lock = new SpecLock({
    lockId: I.lock_id,
    lockKey: unhex(I.lock_key),
    maxFrame: opts.maxFrame ?? I.max_frame,
    clock,
    random: vectorRandom,
    store: memoryStore({ sequence: opts.sequence ?? 0, revoked: opts.revoked ?? [] }),
  });
  return { lock, clock };
}

/** Writes a whole message as frames and reads the whole reply back. */
export function exchange(conn: SpecConnection, message: Uint8Array, maxFrame: number): Uint8Array {
  for (const f of frame(message, maxFrame)) conn.write(f);
  return readReply(conn);
}

export function readReply(conn: SpecConnection): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let seq = 0; ; seq++) {
    const f = conn.read();
    assert.ok(f.length > 0, 'a reply is ready');
    assert.equal(f[0]! & 0x7f, seq);
    parts.push(f.subarray(1));
    if (f[0]! & 0x80) return concat(...parts);
  }
}

const updateOutcomes = (audit: AuditEntry[]) => audit.flatMap((e) => (e.kind === 'update' ? [e.outcome] : []));

describe('the clean-room lock reproduces every lock-side known answer', () => {
  test('the status table is the vectors’ table', () => {
    assert.deepEqual({ ...STATUS }, V.status_codes);
  });

  test('associated data of the ticket, the lock update, UNLOCK and RESULT OK', () => {
    const binding = { phoneNonce: unhex(I.phone_nonce), lockNonce: unhex(I.lock_nonce), credentialId: uuidBytes(I.credential_id) };
    assert.equal(hex(ticketAad()), V.aad.ticket);
    assert.equal(hex(updateAad(unhex(V.lock_update).subarray(0, 5))), V.aad.lock_update);
    assert.equal(hex(unlockAad(binding)), V.aad.unlock);
    assert.equal(hex(resultAad(binding, STATUS.OK)), V.aad.result_ok);
  });

  test('the spec-side issuer seals the vector ticket, the permission-0 ticket and all three lock updates', () => {
    const key = unhex(I.lock_key);
    const fields = {
      lockId: I.lock_id,
      credentialId: I.credential_id,
      notBefore: I.not_before,
      notAfter: I.not_after,
      credentialKey: unhex(I.credential_key),
      permissions: I.permissions,
    };
    assert.equal(hex(sealTicket(key, fields, unhex(I.ticket_nonce))), V.ticket);
    assert.equal(hex(sealTicket(key, { ...fields, permissions: 0 }, unhex(I.ticket_nonce))), V.ticket_with_permissions_0);
    const un = unhex(I.update_nonce);
    assert.equal(hex(sealLockUpdate(key, I.lock_id, I.update_sequence, [I.other_credential_id, I.credential_id], un)), V.lock_update);
    assert.equal(hex(sealLockUpdate(key, I.lock_id, 1, [], un)), V.lock_update_empty_sequence_1);
    // §13 does not say what this one lists; its length (77) and header say one entry at sequence 8.
    assert.equal(hex(sealLockUpdate(key, I.other_lock_id, 8, [I.credential_id], un)), V.lock_update_for_other_lock);
  });

  test('info before and after applying lock_update', () => {
    const { lock } = vectorLock();
    assert.equal(hex(lock.info()), V.info);
    exchange(lock.connect(), unhex(V.hello_with_update), 512);
    assert.equal(hex(lock.info()), V.info_after_update);
  });

  test('the full session: hello → challenge, unlock → result_ok, and the bolt opens once', () => {
    const { lock } = vectorLock();
    const conn = lock.connect();
    assert.equal(hex(exchange(conn, unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(conn, unhex(V.unlock), 512)), V.result_ok);
    assert.equal(lock.opened, 1);
  });

  test('the full session framed at max_frame 20, from the vectors’ own HELLO frames', () => {
    const { lock } = vectorLock({ maxFrame: 20 });
    const conn = lock.connect();
    for (const f of V.frames.hello_max_frame_20) conn.write(unhex(f));
    assert.equal(hex(readReply(conn)), V.challenge);
    assert.equal(hex(exchange(conn, unhex(V.unlock), 20)), V.result_ok);
    assert.equal(lock.opened, 1);
  });

  test('result_expired_before_challenge at now_expired', () => {
    const { lock } = vectorLock({ atS: C.now_expired });
    assert.equal(hex(exchange(lock.connect(), unhex(V.hello), 512)), V.result_expired_before_challenge);
  });

  test('result_revoked_by_update: a fresh lock applies the update, then refuses REVOKED', () => {
    const { lock } = vectorLock();
    assert.equal(hex(exchange(lock.connect(), unhex(V.hello_with_update), 512)), V.result_revoked_by_update);
    assert.equal(lock.updateSequence, 7);
    assert.deepEqual([...lock.revoked].sort(), [I.other_credential_id, I.credential_id].sort());
    assert.deepEqual(updateOutcomes(lock.audit), ['applied']);
    assert.equal(lock.opened, 0);
  });

  test('result_bad_ticket for a tampered ticket (lock_checks.tampered_ticket_status)', () => {
    assert.equal(C.tampered_ticket_status, 'BAD_TICKET');
    for (const at of [17 + 1, 17 + 30, 17 + 113]) {
      const { lock } = vectorLock();
      const hello = unhex(V.hello);
      hello[at]! ^= 0x01;
      assert.equal(hex(exchange(lock.connect(), hello, 512)), V.result_bad_ticket, `byte ${at}`);
    }
  });

  test('result_busy while another connection’s session is open', () => {
    const { lock } = vectorLock();
    assert.equal(hex(exchange(lock.connect(), unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(lock.connect(), unhex(V.hello), 512)), V.result_busy);
  });

  test('a ticket sealed under this key for another lock id is WRONG_LOCK (lock_checks.wrong_lock_id_status)', () => {
    const ticket = sealTicket(unhex(I.lock_key), {
      lockId: I.other_lock_id,
      credentialId: I.credential_id,
      notBefore: I.not_before,
      notAfter: I.not_after,
      credentialKey: unhex(I.credential_key),
      permissions: 1,
    });
    const { lock } = vectorLock();
    const reply = exchange(lock.connect(), concat(Uint8Array.of(1), unhex(I.phone_nonce), ticket), 512);
    assert.equal(reply.length, 58);
    assert.equal(reply[1], STATUS[C.wrong_lock_id_status as 'WRONG_LOCK']);
  });

  test('ticket_with_permissions_0 is FORBIDDEN (lock_checks.permissions_0_status)', () => {
    const { lock } = vectorLock();
    const reply = exchange(lock.connect(), concat(Uint8Array.of(1), unhex(I.phone_nonce), unhex(V.ticket_with_permissions_0)), 512);
    assert.equal(reply.length, 58);
    assert.equal(reply[1], STATUS[C.permissions_0_status as 'FORBIDDEN']);
  });

  test('clock instants at and beyond the skew', () => {
    const cases: [number, string][] = [
      [C.now_expired, 'EXPIRED'],
      [C.now_expired_within_skew, 'CHALLENGE'],
      [C.now_not_yet_valid, 'NOT_YET_VALID'],
      [C.now_not_yet_valid_within_skew, 'CHALLENGE'],
    ];
    for (const [atS, expected] of cases) {
      const { lock } = vectorLock({ atS });
      const reply = exchange(lock.connect(), unhex(V.hello), 512);
      const got = reply[0] === 0x02 ? 'CHALLENGE' : Object.entries(STATUS).find(([, c]) => c === reply[1])![0];
      assert.equal(got, expected, `at ${atS}`);
    }
  });

  test('the challenge window: UNLOCK just inside it opens; at the window it is OUT_OF_ORDER', () => {
    assert.equal(C.challenge_window_ms, 2000);
    for (const [waitMs, expected] of [
      [C.challenge_window_ms - 1, V.result_ok],
      [C.challenge_window_ms, '0408'],
    ] as const) {
      const { lock, clock } = vectorLock();
      const conn = lock.connect();
      exchange(conn, unhex(V.hello), 512);
      clock.advance(waitMs);
      assert.equal(hex(exchange(conn, unhex(V.unlock), 512)), expected, `after ${waitMs} ms`);
    }
  });

  test('update_checks: outcome and sequence after, for each held sequence', () => {
    for (const check of V.update_checks) {
      const { lock } = vectorLock({ sequence: check.held_sequence });
      const hello = concat(unhex(V.hello), unhex(V[check.update]));
      exchange(lock.connect(), hello, 512);
      assert.deepEqual(updateOutcomes(lock.audit), [check.outcome], check.why);
      assert.equal(lock.updateSequence, check.sequence_after, check.why);
    }
  });

  test('max_update_entries: 100 entries apply in a 1792-byte HELLO at max_frame 20; 101 are malformed', () => {
    assert.equal(C.max_update_entries, 100);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
    for (const [n, outcome] of [
      [100, 'applied'],
      [101, 'malformed'],
    ] as const) {
      const { lock } = vectorLock({ maxFrame: 20 });
      const hello = concat(unhex(V.hello), sealLockUpdate(unhex(I.lock_key), I.lock_id, 9, ids(n)));
      const reply = exchange(lock.connect(), hello, 20);
      assert.deepEqual(updateOutcomes(lock.audit), [outcome]);
      assert.equal(hex(reply), V.challenge, 'the HELLO is judged further whatever the outcome');
    }
  });

  test('frames: the lock’s splitter reproduces every framed vector', () => {
    assert.deepEqual(frame(unhex(V.hello), 20).map(hex), V.frames.hello_max_frame_20);
    assert.deepEqual(frame(unhex(V.hello), 64).map(hex), V.frames.hello_max_frame_64);
    assert.deepEqual(frame(unhex(V.hello_with_update), 512).map(hex), V.frames.hello_with_update_max_frame_512);
    assert.deepEqual(frame(unhex(V.frames.msg38), 20).map(hex), V.frames.msg38_max_frame_20);
  });

  test('frames: the vectors’ HELLO at max_frame 64 reassembles into a CHALLENGE', () => {
    const { lock } = vectorLock({ maxFrame: 64 });
    const conn = lock.connect();
    for (const f of V.frames.hello_max_frame_64) conn.write(unhex(f));
    assert.equal(hex(readReply(conn)), V.challenge);
  });

  test('frames: every malformed sequence earns MALFORMED', () => {
    for (const { why, frames } of V.frames.malformed_sequences_max_frame_20) {
      const { lock } = vectorLock({ maxFrame: 20 });
      const conn = lock.connect();
      for (const f of frames) conn.write(unhex(f));
      assert.equal(hex(readReply(conn)), '040b', why);
    }
  });

  test('the vector UNLOCK replayed into a session with another lock_nonce is BAD_PROOF, sealed for that session', () => {
    const freshNonce = unhex('aa'.repeat(16));
    const lock = new SpecLock({
      lockId: I.lock_id,
      lockKey: unhex(I.lock_key),
      maxFrame: 512,
      clock: new ManualClock(C.now_inside_window * 1000),
      random: (n) => (n === 16 ? freshNonce : vectorRandom(n)),
    });
    const conn = lock.connect();
    assert.equal(hex(exchange(conn, unhex(V.hello), 512)), '02' + hex(freshNonce));
    const reply = exchange(conn, unhex(V.unlock), 512);
    assert.equal(reply.length, 42);
    assert.equal(reply[1], STATUS.BAD_PROOF);
    const binding = { phoneNonce: unhex(I.phone_nonce), lockNonce: freshNonce, credentialId: uuidBytes(I.credential_id) };
    const tag = seal(unhex(I.credential_key), reply.subarray(2, 26), new Uint8Array(0), resultAad(binding, STATUS.BAD_PROOF));
    assert.equal(hex(reply.subarray(26)), hex(tag));
    assert.equal(lock.opened, 0);
  });
});
