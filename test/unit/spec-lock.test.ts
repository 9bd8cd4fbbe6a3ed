/**
 * The clean-room lock (test/unit/support/spec-lock.ts, written from docs/protocol.md alone)
 * against the known answers in test/vectors.json, then against the element's real client.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
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
  CHALLENGE_WINDOW_MS as CHALLENGE_WINDOW,
  IDLE_TIMEOUT_MS as IDLE_TIMEOUT,
  type AuditEntry,
  type LockClock,
  type SpecConnection,
} from './support/spec-lock.ts';
import { sealLockUpdate, sealTicket, type TicketFields } from './support/spec-issuer.ts';
// Interop only: the client's exported entry point and transport interface (signatures read, not bodies).
import { unlockWithTransport, type UnlockCredential } from '../../src/protocol/session.ts';
import type { FrameTransport } from '../../src/protocol/transport.ts';

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
    assert.equal(hex(sealTicket(key, { ...fields, permissions: 0 }, unhex(I.ticket_nonce_permissions_0))), V.ticket_with_permissions_0);
    assert.equal(hex(sealTicket(key, { ...fields, lockId: I.other_lock_id }, unhex(I.ticket_nonce_other_lock))), V.ticket_for_other_lock);
    assert.equal(hex(sealLockUpdate(key, I.lock_id, I.update_sequence, [I.other_credential_id, I.credential_id], unhex(I.update_nonce))), V.lock_update);
    assert.equal(hex(sealLockUpdate(key, I.lock_id, 1, [], unhex(I.update_nonce_empty))), V.lock_update_empty_sequence_1);
    // §13: sequence 8 for other_lock_id, listing credential_id.
    assert.equal(hex(sealLockUpdate(key, I.other_lock_id, 8, [I.credential_id], unhex(I.update_nonce_other_lock))), V.lock_update_for_other_lock);
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

  test('result_busy while the bolt is moving for another connection’s UNLOCK (§9 step 2)', () => {
    let during = '';
    const lock: SpecLock = new SpecLock({
      lockId: I.lock_id,
      lockKey: unhex(I.lock_key),
      maxFrame: 512,
      clock: new ManualClock(C.now_inside_window * 1000),
      random: vectorRandom,
      driveBolt: () => {
        during = hex(exchange(lock.connect(), unhex(V.hello), 512));
        return true;
      },
    });
    const conn = lock.connect();
    assert.equal(hex(exchange(conn, unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(conn, unhex(V.unlock), 512)), V.result_ok);
    assert.equal(during, V.result_busy);
  });

  test('another connection’s open session is no reason for BUSY: the second HELLO supersedes it (§9 step 7)', () => {
    const { lock } = vectorLock();
    const first = lock.connect();
    assert.equal(hex(exchange(first, unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(lock.connect(), unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(first, unhex(V.unlock), 512)), '0408');
    assert.ok(lock.audit.some((e) => e.kind === 'session_end' && e.why === 'superseded' && e.connection === first.id));
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

  test('every sealed refusal and answer, byte for byte: FORBIDDEN, WRONG_LOCK, NOT_YET_VALID, BAD_PROOF, JAMMED', () => {
    const hello = (ticket: string) => concat(Uint8Array.of(1), unhex(I.phone_nonce), unhex(ticket));
    assert.equal(hex(exchange(vectorLock().lock.connect(), hello(V.ticket_with_permissions_0), 512)), V.result_forbidden);
    assert.equal(hex(exchange(vectorLock().lock.connect(), hello(V.ticket_for_other_lock), 512)), V.result_wrong_lock);
    assert.equal(hex(exchange(vectorLock({ atS: C.now_not_yet_valid }).lock.connect(), unhex(V.hello), 512)), V.result_not_yet_valid);
    const bad = vectorLock().lock.connect();
    assert.equal(hex(exchange(bad, unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(bad, unhex(V.unlock_bad_proof), 512)), V.result_bad_proof);
    const jammed = new SpecLock({
      lockId: I.lock_id,
      lockKey: unhex(I.lock_key),
      maxFrame: 512,
      clock: new ManualClock(C.now_inside_window * 1000),
      random: vectorRandom,
      driveBolt: () => false,
    }).connect();
    assert.equal(hex(exchange(jammed, unhex(V.hello), 512)), V.challenge);
    assert.equal(hex(exchange(jammed, unhex(V.unlock), 512)), V.result_jammed);
  });

  test('precedence when several checks fail (lock_checks.precedence)', () => {
    for (const p of C.precedence) {
      const { lock } = vectorLock({ atS: p.now });
      assert.equal(hex(exchange(lock.connect(), unhex(V[p.hello]), 512)), V[p.reply], p.why);
    }
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
    for (const [waitMs, expected] of C.challenge_window.map((c: { unlock_after_ms: number; reply: string }) => [c.unlock_after_ms, V[c.reply]])) {
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

// ---------------------------------------------------------------- interop with the element's client

const KEY = unhex(I.lock_key);
const NOW_S = C.now_inside_window;

interface Gate {
  /** Called before each frame the client writes; may hold it, rewrite it or drop it (null). */
  beforeWrite?: (f: Uint8Array, index: number) => Promise<Uint8Array | null> | Uint8Array | null;
  info?: (info: Uint8Array) => Uint8Array;
}

/** An in-memory FrameTransport onto one connection of the clean-room lock; it records the frames. */
function transportTo(lock: SpecLock, gate: Gate = {}) {
  const conn = lock.connect();
  const written: Uint8Array[] = [];
  const transport: FrameTransport = {
    async readInfo() {
      const info = lock.info();
      return gate.info ? gate.info(info) : info;
    },
    async writeFrame(f) {
      const out = gate.beforeWrite ? await gate.beforeWrite(f.slice(), written.length) : f;
      written.push(f.slice());
      if (out) conn.write(out);
    },
    async readFrame() {
      return conn.read();
    },
  };
  return { transport, conn, written };
}

function interopLock(maxFrame: number, opts: { driveBolt?: () => boolean; sequence?: number; revoked?: string[] } = {}) {
  const clock = new ManualClock(NOW_S * 1000);
  const lock = new SpecLock({
    lockId: I.lock_id,
    lockKey: KEY,
    maxFrame,
    clock,
    store: memoryStore({ sequence: opts.sequence ?? 0, revoked: opts.revoked ?? [] }),
    ...(opts.driveBolt ? { driveBolt: opts.driveBolt } : {}),
  });
  return { lock, clock };
}

let idCounter = 0;
function newCredentialId(): string {
  return `7a000000-0000-4000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;
}

function credential(t: Partial<TicketFields> & { key?: Uint8Array; lockUpdate?: Uint8Array } = {}): UnlockCredential {
  const credentialId = t.credentialId ?? newCredentialId();
  const credentialKey = t.credentialKey ?? new Uint8Array(randomBytes(32));
  const ticket = sealTicket(t.key ?? KEY, {
    lockId: t.lockId ?? I.lock_id,
    credentialId,
    notBefore: t.notBefore ?? NOW_S - 600,
    notAfter: t.notAfter ?? NOW_S + 3600,
    credentialKey,
    permissions: t.permissions ?? 1,
  });
  return { credentialId, lockId: I.lock_id, ticket, credentialKey, ...(t.lockUpdate ? { lockUpdate: t.lockUpdate } : {}) };
}

const unlock = (transport: FrameTransport, cred: UnlockCredential) =>
  unlockWithTransport(transport, [cred], { pollIntervalMs: 0, stepTimeoutMs: 2000 });

const refused = (status: string) => ({ ok: false, code: `lock_${status.toLowerCase()}`, status });

function messageStatuses(lock: SpecLock): string[] {
  return lock.audit.flatMap((e) => (e.kind === 'message' ? [e.status] : []));
}

/** Splits the client's recorded frames back into its messages (HELLO, then UNLOCK). */
function messagesOf(frames: Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [[]];
  for (const f of frames) {
    out.at(-1)!.push(f);
    if (f[0]! & 0x80) out.push([]);
  }
  return out.filter((m) => m.length > 0);
}

for (const maxFrame of [20, 512]) {
  const frames = (n: number) => Math.ceil(n / (maxFrame - 1));

  describe(`the element's client against the clean-room lock at max_frame ${maxFrame}`, () => {
    test('an authenticated OK opens the lock, and a current lock costs no update bytes', async () => {
      const { lock } = interopLock(maxFrame, { sequence: 5 });
      const cred = credential({ lockUpdate: sealLockUpdate(KEY, I.lock_id, 5, []) });
      const { transport, written } = transportTo(lock);
      assert.deepEqual(await unlock(transport, cred), { ok: true, credentialId: cred.credentialId, lockId: I.lock_id });
      assert.equal(lock.opened, 1);
      assert.deepEqual(messageStatuses(lock), ['CHALLENGE', 'OK']);
      assert.deepEqual(updateOutcomes(lock.audit), [], 'no update was carried to a current lock');
      assert.equal(written.length, frames(131) + frames(42));
      assert.ok(lock.audit.some((e) => e.kind === 'message' && e.status === 'OK' && e.credentialId === cred.credentialId));
    });

    const ticketRefusals: [string, () => UnlockCredential, { revoked?: string[] }?][] = [
      ['BAD_TICKET', () => credential({ key: new Uint8Array(32).fill(7) })],
      ['WRONG_LOCK', () => credential({ lockId: I.other_lock_id })],
      ['NOT_YET_VALID', () => credential({ notBefore: NOW_S + 61, notAfter: NOW_S + 7200 })],
      ['EXPIRED', () => credential({ notBefore: NOW_S - 7200, notAfter: NOW_S - 61 })],
      ['FORBIDDEN', () => credential({ permissions: 0 })],
      ['REVOKED', () => credential({ credentialId: '7affffff-0000-4000-8000-000000000001' }), { revoked: ['7affffff-0000-4000-8000-000000000001'] }],
    ];
    for (const [status, make, opts] of ticketRefusals) {
      test(`${status} reaches the client as ${status}`, async () => {
        const { lock } = interopLock(maxFrame, opts);
        const cred = make();
        const outcome = await unlock(transportTo(lock).transport, cred);
        assert.deepEqual(outcome, { ...refused(status), credentialId: cred.credentialId, lockId: I.lock_id });
        assert.equal(lock.opened, 0);
        assert.equal(lock.busy, false, 'a refused HELLO starts no session');
      });
    }

    test('UNSUPPORTED_VERSION reaches the client for a ticket whose version byte is changed on the air', async () => {
      const { lock } = interopLock(maxFrame);
      const cred = credential();
      const onAir = transportTo(lock, {
        beforeWrite: (f, i) => {
          if (i === 0) f[18] = 0x03; // HELLO byte 17: the ticket's version (§8)
          return f;
        },
      });
      const outcome = await unlock(onAir.transport, cred);
      assert.deepEqual(outcome, { ...refused('UNSUPPORTED_VERSION'), credentialId: cred.credentialId, lockId: I.lock_id });
    });

    test('the client never sends a ticket whose version byte is not 0x02 (§11 step 2): credential_invalid', async () => {
      const { lock } = interopLock(maxFrame);
      const cred = credential();
      cred.ticket[0] = 0x03;
      const to = transportTo(lock);
      assert.deepEqual(await unlock(to.transport, cred), { ok: false, code: 'credential_invalid' });
      assert.equal(to.written.length, 0);
    });

    test('a guest is served while another connection’s session waits for its UNLOCK; that phone then gets OUT_OF_ORDER', async () => {
      const { lock } = interopLock(maxFrame);
      const other = lock.connect();
      assert.equal(exchange(other, concat(Uint8Array.of(1), randomBytes(16), credential().ticket), maxFrame)[0], 0x02);
      const cred = credential();
      assert.deepEqual(await unlock(transportTo(lock).transport, cred), { ok: true, credentialId: cred.credentialId, lockId: I.lock_id });
      assert.equal(hex(exchange(other, concat(Uint8Array.of(3), randomBytes(41)), maxFrame)), '0408');
      assert.equal(lock.opened, 1);
    });

    test('a connection that sends nothing is dropped after 10 s and never blocks another HELLO', async () => {
      const { lock, clock } = interopLock(maxFrame);
      const idle = lock.connect();
      const cred = credential();
      assert.equal((await unlock(transportTo(lock).transport, cred)).ok, true);
      clock.advance(IDLE_TIMEOUT - 1);
      assert.equal(idle.isConnected, true);
      clock.advance(1);
      assert.equal(idle.isConnected, false);
      assert.throws(() => idle.read());
    });

    test('JAMMED reaches the client when the motor fails after a valid UNLOCK', async () => {
      const { lock } = interopLock(maxFrame, { driveBolt: () => false });
      const cred = credential();
      assert.deepEqual(await unlock(transportTo(lock).transport, cred), { ...refused('JAMMED'), credentialId: cred.credentialId, lockId: I.lock_id });
      assert.equal(lock.opened, 0);
    });

    test('BAD_PROOF reaches the client when one bit of its UNLOCK is flipped in flight', async () => {
      const { lock } = interopLock(maxFrame);
      const cred = credential();
      const helloFrames = frames(131);
      const { transport } = transportTo(lock, {
        beforeWrite: (f, i) => {
          if (i === helloFrames) f[f.length - 1]! ^= 0x01; // UNLOCK's first frame
          return f;
        },
      });
      assert.deepEqual(await unlock(transport, cred), { ...refused('BAD_PROOF'), credentialId: cred.credentialId, lockId: I.lock_id });
      assert.equal(lock.opened, 0);
    });

    test('MALFORMED reaches the client when a HELLO frame arrives out of sequence', async () => {
      const { lock } = interopLock(maxFrame);
      const cred = credential();
      const { transport } = transportTo(lock, {
        beforeWrite: (f, i) => {
          if (i === 0) f[0] = (f[0]! & 0x80) | 1; // first frame claims sequence 1
          return f;
        },
      });
      const outcome = await unlock(transport, cred);
      assert.deepEqual(outcome, { ...refused('MALFORMED'), credentialId: cred.credentialId, lockId: I.lock_id });
      assert.equal(lock.opened, 0);
    });

    test('a session without UNLOCK within 2 s ends and frees the lock; its late UNLOCK reaches the client as OUT_OF_ORDER', async () => {
      const { lock, clock } = interopLock(maxFrame);
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let unlockStarted!: () => void;
      const atUnlock = new Promise<void>((r) => (unlockStarted = r));
      const helloFrames = frames(131);
      const stalled = transportTo(lock, {
        beforeWrite: async (f, i) => {
          if (i === helloFrames) {
            unlockStarted();
            await held;
          }
          return f;
        },
      });
      const slowCred = credential();
      const slow = unlock(stalled.transport, slowCred);
      await atUnlock;
      assert.equal(lock.busy, true);

      clock.advance(CHALLENGE_WINDOW - 1);
      assert.equal(lock.busy, true, 'still open 1 ms before its deadline');
      clock.advance(1);
      assert.equal(lock.busy, false, 'the deadline timer ended the session');
      assert.ok(lock.audit.some((e) => e.kind === 'session_end' && e.why === 'deadline' && e.credentialId === slowCred.credentialId));
      const next = credential();
      assert.deepEqual(await unlock(transportTo(lock).transport, next), { ok: true, credentialId: next.credentialId, lockId: I.lock_id });

      release();
      assert.deepEqual(await slow, { ...refused('OUT_OF_ORDER'), credentialId: slowCred.credentialId, lockId: I.lock_id });
      assert.equal(lock.opened, 1);
    });

    test('a credential whose key or id does not match its ticket: the lock refuses BAD_PROOF, the client cannot verify it', async () => {
      for (const mismatch of ['key', 'id'] as const) {
        const { lock } = interopLock(maxFrame);
        const cred = credential();
        const wrong = mismatch === 'key' ? { ...cred, credentialKey: new Uint8Array(randomBytes(32)) } : { ...cred, credentialId: newCredentialId() };
        const outcome = await unlock(transportTo(lock).transport, wrong);
        assert.deepEqual(messageStatuses(lock), ['CHALLENGE', 'BAD_PROOF'], mismatch);
        assert.equal(outcome.ok, false);
        assert.equal((outcome as { code: string }).code, 'lock_unauthenticated', mismatch);
        assert.equal(lock.opened, 0);
      }
    });

    test('§2 guarantee 4: one recorded HELLO re-sent as each 2 s window closes never keeps a guest out (40 of 40 open)', async () => {
      const { lock, clock } = interopLock(maxFrame);
      const recorded = concat(Uint8Array.of(1), randomBytes(16), credential().ticket);
      const replay = () => assert.equal(exchange(lock.connect(), recorded, maxFrame)[0], 0x02);
      replay();
      let busy = 0;
      let opened = 0;
      for (let attempt = 0; attempt < 40; attempt++) {
        // A guest taps Unlock at some moment inside the attacker's window (never a tie)...
        const offset = 1 + ((attempt * 737) % (CHALLENGE_WINDOW - 1));
        clock.advance(offset);
        const outcome = await unlock(transportTo(lock).transport, credential());
        if (!outcome.ok && outcome.status === 'BUSY') busy++;
        if (outcome.ok) opened++;
        // ...and the attacker re-sends the same recorded HELLO as soon as its session ends.
        clock.advance(CHALLENGE_WINDOW - offset);
        assert.equal(lock.busy, false);
        replay();
      }
      assert.equal(busy, 0, 'a chain of replays holds nothing against a guest (§9 Superseding)');
      assert.equal(opened, 40);
      assert.equal(lock.opened, 40);
    });

    test('ticket checks run in §9 step 6 order when several fail', async () => {
      const id = '7acccccc-0000-4000-8000-000000000001';
      const cases: [string, Partial<TicketFields>][] = [
        ['WRONG_LOCK', { lockId: I.other_lock_id, permissions: 0, credentialId: id, notAfter: NOW_S - 3600, notBefore: NOW_S - 7200 }],
        ['FORBIDDEN', { permissions: 0, credentialId: id, notAfter: NOW_S - 3600, notBefore: NOW_S - 7200 }],
        ['REVOKED', { credentialId: id, notBefore: NOW_S + 3600, notAfter: NOW_S + 7200 }],
        ['NOT_YET_VALID', { notBefore: NOW_S + 3600, notAfter: NOW_S - 3600 }],
      ];
      for (const [status, fields] of cases) {
        const { lock } = interopLock(maxFrame, { revoked: [id] });
        const cred = credential(fields);
        assert.deepEqual(await unlock(transportTo(lock).transport, cred), { ...refused(status), credentialId: cred.credentialId, lockId: I.lock_id });
      }
    });

    describe('lock updates carried in HELLO', () => {
      const victim = '7abbbbbb-0000-4000-8000-000000000001';

      test('an authentic, newer update for this lock is applied, then refuses the revoked ticket', async () => {
        const { lock } = interopLock(maxFrame, { sequence: 3 });
        const update = sealLockUpdate(KEY, I.lock_id, 9, [victim]);
        const carrier = credential({ lockUpdate: update });
        const { transport, written } = transportTo(lock);
        assert.deepEqual((await unlock(transport, carrier)).ok, true, 'the carrier itself is not listed');
        assert.equal(written.length, frames(131 + 77) + frames(42));
        assert.deepEqual(updateOutcomes(lock.audit), ['applied']);
        assert.equal(lock.updateSequence, 9);
        assert.deepEqual(lock.revoked, [victim]);

        const revoked = credential({ credentialId: victim });
        assert.deepEqual(await unlock(transportTo(lock).transport, revoked), { ...refused('REVOKED'), credentialId: victim, lockId: I.lock_id });
        assert.equal(lock.opened, 1);
      });

      test('a revoked guest carrying the update that lists it is refused in the same HELLO', async () => {
        const { lock } = interopLock(maxFrame);
        const cred = credential({ credentialId: victim, lockUpdate: sealLockUpdate(KEY, I.lock_id, 4, [victim]) });
        assert.deepEqual(await unlock(transportTo(lock).transport, cred), { ...refused('REVOKED'), credentialId: victim, lockId: I.lock_id });
        assert.deepEqual(updateOutcomes(lock.audit), ['applied']);
      });

      const refusedUpdates: [string, () => Uint8Array][] = [
        ['forged', () => sealLockUpdate(new Uint8Array(32).fill(9), I.lock_id, 9, [victim])],
        ['other_lock', () => sealLockUpdate(KEY, I.other_lock_id, 9, [victim])],
        [
          'forged',
          () => {
            const u = sealLockUpdate(KEY, I.lock_id, 9, [victim]);
            u[4]! ^= 0x01; // the clear sequence is in the associated data
            return u;
          },
        ],
      ];
      for (const [outcome, make] of refusedUpdates) {
        test(`a ${outcome} update is refused and logged, and the list is unchanged`, async () => {
          const { lock } = interopLock(maxFrame, { sequence: 3 });
          const cred = credential({ credentialId: victim, lockUpdate: make() });
          assert.equal((await unlock(transportTo(lock).transport, cred)).ok, true);
          assert.deepEqual(updateOutcomes(lock.audit), [outcome]);
          assert.equal(lock.updateSequence, 3);
          assert.deepEqual(lock.revoked, []);
        });
      }

      test('a malformed update: the client will not carry it; sent raw, the lock logs it malformed and judges the ticket', async () => {
        const truncated = sealLockUpdate(KEY, I.lock_id, 9, [victim]).subarray(0, 70);
        const { lock } = interopLock(maxFrame, { sequence: 3 });
        const cred = credential({ credentialId: victim, lockUpdate: truncated });
        // §11 step 2: an invalid credential, reported as such; nothing is sent.
        const to = transportTo(lock);
        assert.deepEqual(await unlock(to.transport, cred), { ok: false, code: 'credential_invalid' });
        assert.equal(to.written.length, 0);
        const conn = lock.connect();
        const reply = exchange(conn, concat(Uint8Array.of(1), randomBytes(16), cred.ticket, truncated), maxFrame);
        assert.equal(reply[0], 0x02);
        assert.deepEqual(updateOutcomes(lock.audit), ['malformed']);
        assert.equal(lock.updateSequence, 3);
      });

      test('an applied update is stored before the ticket is judged, and survives a power loss', async () => {
        const store = memoryStore();
        const clock = new ManualClock(NOW_S * 1000);
        let judgedAtSave: string[] | null = null;
        const lock: SpecLock = new SpecLock({
          lockId: I.lock_id,
          lockKey: KEY,
          maxFrame,
          clock,
          store: { load: () => store.load(), save: (state) => ((judgedAtSave = messageStatuses(lock)), store.save(state)) },
        });
        const cred = credential({ credentialId: victim, lockUpdate: sealLockUpdate(KEY, I.lock_id, 11, [victim]) });
        assert.equal((await unlock(transportTo(lock).transport, cred)).ok, false);
        assert.deepEqual(judgedAtSave, [], 'nothing of the HELLO was judged when the list was stored');
        assert.deepEqual(messageStatuses(lock), ['REVOKED']);
        const rebooted = new SpecLock({ lockId: I.lock_id, lockKey: KEY, maxFrame, clock, store });
        assert.equal(rebooted.updateSequence, 11);
        assert.deepEqual(rebooted.revoked, [victim]);
        assert.equal(hex(rebooted.info().subarray(19)), '0000000b');
      });

      test('a stale update (an info read rewritten to look behind) is refused as stale', async () => {
        const { lock } = interopLock(maxFrame, { sequence: 9, revoked: [] });
        const cred = credential({ credentialId: victim, lockUpdate: sealLockUpdate(KEY, I.lock_id, 8, [victim]) });
        const { transport } = transportTo(lock, { info: (info) => concat(info.subarray(0, 19), Uint8Array.of(0, 0, 0, 1)) });
        assert.equal((await unlock(transport, cred)).ok, true);
        assert.deepEqual(updateOutcomes(lock.audit), ['stale']);
        assert.equal(lock.updateSequence, 9);
      });
    });

    describe('replays never open the lock', () => {
      async function recordedSession() {
        const { lock, clock } = interopLock(maxFrame);
        const cred = credential({ lockUpdate: sealLockUpdate(KEY, I.lock_id, 2, []) });
        const { transport, written } = transportTo(lock);
        assert.equal((await unlock(transport, cred)).ok, true);
        const [hello, unlockMsg] = messagesOf(written);
        return { lock, clock, hello: hello!, unlockMsg: unlockMsg! };
      }

      test('the recorded HELLO and UNLOCK sent again to a new session earn BAD_PROOF', async () => {
        const { lock, hello, unlockMsg } = await recordedSession();
        for (let i = 0; i < 3; i++) {
          const conn = lock.connect();
          for (const f of hello) conn.write(f);
          assert.equal(readReply(conn)[0], 0x02, 'a replayed HELLO earns a fresh CHALLENGE');
          for (const f of unlockMsg) conn.write(f);
          const reply = readReply(conn);
          assert.deepEqual([reply.length, reply[1]], [42, STATUS.BAD_PROOF]);
        }
        assert.equal(lock.opened, 1, 'only the genuine session opened');
        assert.equal(lock.updateSequence, 2);
        assert.deepEqual(updateOutcomes(lock.audit), ['applied', 'stale', 'stale', 'stale']);
      });

      test('the recorded UNLOCK alone, on a new connection, is OUT_OF_ORDER', async () => {
        const { lock, unlockMsg } = await recordedSession();
        const conn = lock.connect();
        for (const f of unlockMsg) conn.write(f);
        assert.equal(hex(readReply(conn)), '0408');
        assert.equal(lock.opened, 1);
      });

      test('a replayed HELLO holds the lock at most 2 s, then a genuine guest opens it', async () => {
        const { lock, clock, hello } = await recordedSession();
        const attacker = lock.connect();
        for (const f of hello) attacker.write(f);
        assert.equal(readReply(attacker)[0], 0x02);
        clock.advance(CHALLENGE_WINDOW);
        const guest = credential();
        assert.equal((await unlock(transportTo(lock).transport, guest)).ok, true);
        assert.equal(lock.opened, 2);
      });
    });
  });
}

// ---------------------------------------------------------------- tampering and fuzzing

/** §8: every reply is a CHALLENGE or a RESULT in the one form its status is sent in. */
function assertWellFormedReply(reply: Uint8Array): void {
  if (reply[0] === 0x02) return assert.equal(reply.length, 17);
  assert.equal(reply[0], 0x04);
  const name = Object.entries(STATUS).find(([, c]) => c === reply[1])?.[0];
  assert.ok(name, `status ${reply[1]} is in the table`);
  const form = ['OK', 'BAD_PROOF', 'JAMMED'].includes(name!)
    ? 42
    : ['WRONG_LOCK', 'NOT_YET_VALID', 'EXPIRED', 'REVOKED', 'FORBIDDEN'].includes(name!)
      ? 58
      : 2;
  assert.equal(reply.length, form, name);
}

function flipped(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('tampering: every single-bit change is refused', () => {
  test('any bit of the vector HELLO or UNLOCK flipped: the lock never opens (all 1384 bits)', () => {
    const hello = unhex(V.hello);
    const unlockMsg = unhex(V.unlock);
    let cases = 0;
    for (const [which, length] of [
      ['hello', hello.length],
      ['unlock', unlockMsg.length],
    ] as const) {
      for (let bit = 0; bit < length * 8; bit++) {
        const { lock } = vectorLock();
        const conn = lock.connect();
        const first = exchange(conn, which === 'hello' ? flipped(hello, bit) : hello, 512);
        assertWellFormedReply(first);
        if (first[0] === 0x02) {
          const result = exchange(conn, which === 'unlock' ? flipped(unlockMsg, bit) : unlockMsg, 512);
          assertWellFormedReply(result);
          assert.notEqual(result[1], STATUS.OK, `${which} bit ${bit}`);
        }
        assert.equal(lock.opened, 0, `${which} bit ${bit}`);
        cases++;
      }
    }
    assert.equal(cases, (131 + 42) * 8);
  });

  test('any bit of the vector lock update flipped: never applied, and the ticket is still judged (all 744 bits)', () => {
    const update = unhex(V.lock_update);
    for (let bit = 0; bit < update.length * 8; bit++) {
      const { lock } = vectorLock();
      const reply = exchange(lock.connect(), concat(unhex(V.hello), flipped(update, bit)), 512);
      const outcomes = updateOutcomes(lock.audit);
      assert.equal(outcomes.length, 1);
      assert.notEqual(outcomes[0], 'applied', `bit ${bit}`);
      assert.equal(outcomes[0], bit < 8 ? 'unsupported_version' : 'forged', `bit ${bit}`);
      assert.equal(lock.updateSequence, 0);
      assert.equal(hex(reply), V.challenge);
    }
  });
});

describe('fuzzing: random frame sequences into the lock', () => {
  test('never throw, never hang, always answer in a well-formed reply, never open (10,000 seeded cases)', () => {
    const action = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), bytes: fc.uint8Array({ minLength: 0, maxLength: 40 }), final: fc.boolean() }),
      fc.record({ kind: fc.constant('hello' as const), tamper: fc.nat(131 * 8 + 8) }),
      fc.record({ kind: fc.constant('read' as const) }),
      fc.record({ kind: fc.constant('reconnect' as const) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(20, 64, 512), fc.array(action, { maxLength: 30 }), (maxFrame, actions) => {
        const { lock, clock } = vectorLock({ maxFrame });
        let conn = lock.connect();
        const readAll = () => {
          const parts: Uint8Array[] = [];
          for (let f = conn.read(), n = 0; f.length > 0 && n < 200; f = conn.read(), n++) {
            assert.ok(f.length <= maxFrame);
            parts.push(f.subarray(1));
            if (f[0]! & 0x80) {
              assertWellFormedReply(concat(...parts));
              parts.length = 0;
            }
          }
        };
        for (const a of actions) {
          if (a.kind === 'write') {
            const f = a.bytes.subarray(0, maxFrame);
            if (f.length > 0 && a.final) f[0]! |= 0x80;
            conn.write(f);
          } else if (a.kind === 'hello') {
            const hello = unhex(V.hello);
            for (const f of frame(a.tamper < 131 * 8 ? flipped(hello, a.tamper) : hello, maxFrame)) conn.write(f);
          } else if (a.kind === 'read') readAll();
          else if (a.kind === 'reconnect') {
            conn.disconnect();
            conn = lock.connect();
          } else clock.advance(a.ms);
        }
        readAll();
        assert.equal(lock.opened, 0);
      }),
      { seed: 0x1c2a44, numRuns: 10_000 },
    );
  });
});
