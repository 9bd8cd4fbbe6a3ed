/**
 * The lock side of the Instant Key lock protocol, version 2, written from docs/protocol.md and
 * test/vectors.json alone (a clean-room check of the spec, issue 12). Nothing here is imported
 * from src/: framing, parsing, the state machine, the session deadline, lock updates and the
 * audit log follow the document's sections, cited as "§n".
 * Revised only where the spec changed after the review: §9 step 2 (BUSY only while the bolt
 * moves), step 7 (superseding), Connections (the 10 s idle drop).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes as nodeRandomBytes } from 'node:crypto';

// §8 status table.
export const STATUS = {
  OK: 0x00,
  BAD_TICKET: 0x01,
  WRONG_LOCK: 0x02,
  NOT_YET_VALID: 0x03,
  EXPIRED: 0x04,
  BAD_PROOF: 0x05,
  REVOKED: 0x06,
  FORBIDDEN: 0x07,
  OUT_OF_ORDER: 0x08,
  BUSY: 0x09,
  UNSUPPORTED_VERSION: 0x0a,
  MALFORMED: 0x0b,
  JAMMED: 0x0c,
} as const;
export type StatusName = keyof typeof STATUS;

/** §8: the 42-byte form answers an UNLOCK. */
const ANSWERS_UNLOCK: ReadonlySet<StatusName> = new Set(['OK', 'BAD_PROOF', 'JAMMED']);
/** §8: the 58-byte form refuses a HELLO whose ticket opened. */
const REFUSES_HELLO: ReadonlySet<StatusName> = new Set([
  'WRONG_LOCK',
  'NOT_YET_VALID',
  'EXPIRED',
  'REVOKED',
  'FORBIDDEN',
]);

export const VERSION = 0x02;
export const CLOCK_SKEW_S = 60; // §9
export const CHALLENGE_WINDOW_MS = 2000; // §9
export const IDLE_TIMEOUT_MS = 10_000; // §9 Connections
export const MESSAGE_LIMIT = 2048; // §7: at least 1792; the reference lock's figure
export const TICKET_LENGTH = 114; // §4
export const HELLO_LENGTH = 131; // §8
export const MAX_UPDATE_ENTRIES = 100; // §5
const UPDATE_BASE_LENGTH = 61; // §5
const LABEL_TICKET = ascii('IK2T');
const LABEL_UPDATE = ascii('IK2L');
const LABEL_UNLOCK = ascii('IK2U');
const LABEL_RESULT = ascii('IK2R');

// ---------------------------------------------------------------- bytes (§1)

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

export function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** §1: a UUID travels as the 16 bytes its canonical text shows, in order. */
export function uuidBytes(uuid: string): Uint8Array {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) throw new TypeError('not a canonical UUID');
  const hex = uuid.replace(/-/g, '');
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

export function bytesUuid(b: Uint8Array): string {
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

// ---------------------------------------------------------------- the AEAD (§1)

export function seal(key: Uint8Array, nonce: Uint8Array, plain: Uint8Array, aad: Uint8Array): Uint8Array {
  return xchacha20poly1305(key, nonce, aad).encrypt(plain);
}

/** `open` of §1, or null when it fails (noble compares the tag in constant time). */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  try {
    return xchacha20poly1305(key, nonce, aad).decrypt(sealed);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- associated data (§4, §5, §8)

export const ticketAad = (): Uint8Array => concat(LABEL_TICKET, Uint8Array.of(VERSION));
export const updateAad = (header: Uint8Array): Uint8Array => concat(LABEL_UPDATE, header);

export interface Binding {
  phoneNonce: Uint8Array;
  lockNonce: Uint8Array;
  credentialId: Uint8Array;
}

export function unlockAad(b: Binding): Uint8Array {
  return concat(LABEL_UNLOCK, Uint8Array.of(VERSION), b.phoneNonce, b.lockNonce, b.credentialId);
}

export function resultAad(b: Binding, status: number): Uint8Array {
  return concat(LABEL_RESULT, Uint8Array.of(VERSION), b.phoneNonce, b.lockNonce, b.credentialId, Uint8Array.of(status));
}

// ---------------------------------------------------------------- framing (§7)

/** Splits a message into as few frames as `maxFrame` allows. */
export function frame(message: Uint8Array, maxFrame: number): Uint8Array[] {
  const chunk = maxFrame - 1;
  const count = Math.ceil(message.length / chunk);
  if (message.length === 0 || count > 128) throw new RangeError('message cannot be framed');
  return Array.from({ length: count }, (_, i) => {
    const last = i === count - 1;
    return concat(Uint8Array.of((last ? 0x80 : 0) | i), message.subarray(i * chunk, (i + 1) * chunk));
  });
}

type Assembled = { message: Uint8Array } | { error: true } | null;

/** Reassembles one direction's frames; any rule of §7 broken discards the message. */
class Reassembler {
  private parts: Uint8Array[] = [];
  private length = 0;

  constructor(
    private readonly maxFrame: number,
    private readonly limit: number,
  ) {}

  /** A whole message, a framing error, or null while more frames are due. */
  push(f: Uint8Array): Assembled {
    const seq = (f[0] ?? 0) & 0x7f;
    const final = ((f[0] ?? 0) & 0x80) !== 0;
    const bad =
      f.length < 2 ||
      f.length > this.maxFrame ||
      seq !== this.parts.length ||
      (!final && seq === 127) ||
      this.length + f.length - 1 > this.limit;
    if (bad) {
      this.reset();
      return { error: true };
    }
    this.parts.push(f.subarray(1));
    this.length += f.length - 1;
    if (!final) return null;
    const message = concat(...this.parts);
    this.reset();
    return { message };
  }

  reset(): void {
    this.parts = [];
    this.length = 0;
  }
}

// ---------------------------------------------------------------- the lock (§5, §6, §9)

/** What must survive power loss (§9 Persistence). */
export interface LockState {
  sequence: number;
  revoked: readonly string[];
}

export interface LockStore {
  load(): LockState;
  save(state: LockState): void;
}

export function memoryStore(initial: LockState = { sequence: 0, revoked: [] }): LockStore & { saves: number } {
  let state = initial;
  return {
    saves: 0,
    load: () => state,
    save(next) {
      state = { sequence: next.sequence, revoked: [...next.revoked] };
      this.saves++;
    },
  };
}

/** Milliseconds since the epoch, and a one-shot timer on the same clock. */
export interface LockClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: LockClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export type UpdateOutcome = 'applied' | 'malformed' | 'unsupported_version' | 'forged' | 'other_lock' | 'stale';

export type AuditEntry =
  | {
      kind: 'message';
      at: number;
      connection: number;
      type: number | null;
      credentialId?: string;
      status: StatusName | 'CHALLENGE';
    }
  | { kind: 'update'; at: number; connection: number; sequence: number | null; outcome: UpdateOutcome }
  | { kind: 'session_end'; at: number; connection: number; credentialId: string; why: SessionEnd };

export type SessionEnd = 'result' | 'disconnected' | 'out_of_order' | 'malformed' | 'deadline' | 'hello_again' | 'superseded' | 'idle';

export interface SpecLockOptions {
  lockId: string;
  lockKey: Uint8Array;
  maxFrame: number;
  clock?: LockClock;
  random?: (n: number) => Uint8Array;
  store?: LockStore;
  /** Drives the bolt; false when the motor failed (JAMMED). */
  driveBolt?: () => boolean;
}

interface Session {
  connection: SpecConnection;
  credentialId: Uint8Array;
  credentialKey: Uint8Array;
  phoneNonce: Uint8Array;
  lockNonce: Uint8Array;
  deadline: number;
  timer: unknown;
}

export class SpecLock {
  readonly lockId: string;
  readonly maxFrame: number;
  readonly audit: AuditEntry[] = [];
  /** How many times the bolt was driven open. */
  opened = 0;

  private readonly lockIdBytes: Uint8Array;
  private readonly lockKey: Uint8Array;
  private readonly clock: LockClock;
  private readonly random: (n: number) => Uint8Array;
  private readonly store: LockStore;
  private readonly driveBolt: () => boolean;
  private session: Session | null = null;
  /** §9 On an UNLOCK step 3: the bolt is moving (a HELLO meanwhile is BUSY). */
  private bolting = false;
  private nextConnection = 1;

  constructor(options: SpecLockOptions) {
    if (!Number.isInteger(options.maxFrame) || options.maxFrame < 20 || options.maxFrame > 512) {
      throw new RangeError('max_frame must be 20 to 512'); // §6
    }
    if (options.lockKey.length !== 32) throw new RangeError('lock_key is 32 bytes');
    this.lockIdBytes = uuidBytes(options.lockId);
    this.lockId = bytesUuid(this.lockIdBytes);
    this.lockKey = options.lockKey;
    this.maxFrame = options.maxFrame;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
    this.store = options.store ?? memoryStore();
    this.driveBolt = options.driveBolt ?? (() => true);
  }

  /** §6: `version | lock_id | max_frame u16 | update_sequence u32`. */
  info(): Uint8Array {
    return concat(Uint8Array.of(VERSION), this.lockIdBytes, u16(this.maxFrame), u32(this.store.load().sequence));
  }

  get updateSequence(): number {
    return this.store.load().sequence;
  }

  get revoked(): readonly string[] {
    return this.store.load().revoked;
  }

  /** Whether a session holds the lock now (noticing a passed deadline first). */
  get busy(): boolean {
    this.expireLazily();
    return this.session !== null;
  }

  connect(): SpecConnection {
    return new SpecConnection(this, this.nextConnection++, this.clock);
  }

  // ---- called by connections

  /** @internal */
  receive(conn: SpecConnection, message: Uint8Array | null): Uint8Array {
    this.expireLazily();
    if (message === null) {
      this.endIfOwn(conn, 'malformed');
      return this.bare(conn, null, 'MALFORMED');
    }
    switch (message[0]) {
      case 0x01:
        return this.onHello(conn, message);
      case 0x03:
        return this.onUnlock(conn, message);
      default:
        this.endIfOwn(conn, 'out_of_order');
        return this.bare(conn, message[0]!, 'OUT_OF_ORDER');
    }
  }

  /** @internal */
  dropped(conn: SpecConnection, why: 'disconnected' | 'idle'): void {
    this.endIfOwn(conn, why);
  }

  // ---- §9 On a HELLO

  private onHello(conn: SpecConnection, m: Uint8Array): Uint8Array {
    if (this.session?.connection === conn) {
      this.endSession('hello_again');
      return this.bare(conn, 0x01, 'OUT_OF_ORDER');
    }
    if (this.bolting) return this.bare(conn, 0x01, 'BUSY');
    if (m.length < 18) return this.bare(conn, 0x01, 'MALFORMED');
    if (m.length > HELLO_LENGTH) this.judgeUpdate(conn, m.subarray(HELLO_LENGTH));

    const phoneNonce = m.slice(1, 17);
    const ticket = m.subarray(17, HELLO_LENGTH);
    if (ticket[0] !== VERSION) return this.bare(conn, 0x01, 'UNSUPPORTED_VERSION');
    const plain = ticket.length === TICKET_LENGTH ? open(this.lockKey, ticket.subarray(1, 25), ticket.subarray(25), ticketAad()) : null;
    if (plain === null || plain.length !== 73) return this.bare(conn, 0x01, 'BAD_TICKET');

    const lockNonce = this.random(16);
    const credentialId = plain.slice(16, 32);
    const notBefore = readU32(plain, 32);
    const notAfter = readU32(plain, 36);
    const credentialKey = plain.slice(40, 72);
    const permissions = plain[72]!;
    const binding = { phoneNonce, lockNonce, credentialId };
    const now = Math.floor(this.clock.now() / 1000);
    const state = this.store.load();
    const refusal: StatusName | null = !sameBytes(plain.subarray(0, 16), this.lockIdBytes)
      ? 'WRONG_LOCK'
      : (permissions & 1) === 0
        ? 'FORBIDDEN'
        : state.revoked.includes(bytesUuid(credentialId))
          ? 'REVOKED'
          : now + CLOCK_SKEW_S < notBefore
            ? 'NOT_YET_VALID'
            : now - CLOCK_SKEW_S > notAfter
              ? 'EXPIRED'
              : null;
    if (refusal) {
      const nonce = this.random(24);
      const tag = seal(credentialKey, nonce, new Uint8Array(0), resultAad(binding, STATUS[refusal]));
      this.log(conn, 0x01, refusal, credentialId);
      return concat(Uint8Array.of(0x04, STATUS[refusal]), lockNonce, nonce, tag);
    }

    // §9 step 7: superseding. A session still waiting for its UNLOCK yields to this HELLO.
    if (this.session) this.endSession('superseded');
    const deadline = this.clock.now() + CHALLENGE_WINDOW_MS;
    const session: Session = { connection: conn, credentialKey, credentialId, phoneNonce, lockNonce, deadline, timer: null };
    session.timer = this.clock.setTimer(() => {
      if (this.session === session) this.endSession('deadline');
    }, CHALLENGE_WINDOW_MS);
    this.session = session;
    this.log(conn, 0x01, 'CHALLENGE', credentialId);
    return concat(Uint8Array.of(0x02), lockNonce);
  }

  // ---- §9 On an UNLOCK

  private onUnlock(conn: SpecConnection, m: Uint8Array): Uint8Array {
    const session = this.session;
    if (session?.connection !== conn) return this.bare(conn, 0x03, 'OUT_OF_ORDER');
    this.endSession('result');
    const plain = m.length === 42 ? open(session.credentialKey, m.subarray(1, 25), m.subarray(25), unlockAad(session)) : null;
    const proven = plain !== null && plain.length === 1 && plain[0] === 0x01;
    let status: StatusName = 'BAD_PROOF';
    if (proven) {
      this.bolting = true;
      try {
        status = this.driveBolt() ? 'OK' : 'JAMMED';
      } finally {
        this.bolting = false;
      }
      if (status === 'OK') this.opened++;
    }
    const nonce = this.random(24);
    const tag = seal(session.credentialKey, nonce, new Uint8Array(0), resultAad(session, STATUS[status]));
    this.log(conn, 0x03, status, session.credentialId);
    return concat(Uint8Array.of(0x04, STATUS[status]), nonce, tag);
  }

  // ---- §5 lock updates

  private judgeUpdate(conn: SpecConnection, u: Uint8Array): void {
    const claimed = u.length >= 5 ? readU32(u, 1) : null;
    const outcome = this.applyUpdate(u);
    this.audit.push({ kind: 'update', at: this.clock.now(), connection: conn.id, sequence: claimed, outcome });
  }

  private applyUpdate(u: Uint8Array): UpdateOutcome {
    if (u[0] !== VERSION) return 'unsupported_version';
    const n = (u.length - UPDATE_BASE_LENGTH) / 16;
    if (!Number.isInteger(n) || n < 0 || n > MAX_UPDATE_ENTRIES) return 'malformed';
    const header = u.subarray(0, 5);
    const plain = open(this.lockKey, u.subarray(5, 29), u.subarray(29), updateAad(header));
    if (plain === null) return 'forged';
    if (!sameBytes(plain.subarray(0, 16), this.lockIdBytes)) return 'other_lock';
    const sequence = readU32(header, 1);
    if (sequence <= this.store.load().sequence) return 'stale';
    const revoked = Array.from({ length: n }, (_, i) => bytesUuid(plain.subarray(16 + 16 * i, 32 + 16 * i)));
    this.store.save({ sequence, revoked });
    return 'applied';
  }

  // ---- sessions

  private expireLazily(): void {
    if (this.session && this.clock.now() >= this.session.deadline) this.endSession('deadline');
  }

  private endIfOwn(conn: SpecConnection, why: SessionEnd): void {
    if (this.session?.connection === conn) this.endSession(why);
  }

  private endSession(why: SessionEnd): void {
    const s = this.session;
    if (!s) return;
    this.session = null;
    this.clock.clearTimer(s.timer);
    this.audit.push({ kind: 'session_end', at: this.clock.now(), connection: s.connection.id, credentialId: bytesUuid(s.credentialId), why });
  }

  private bare(conn: SpecConnection, type: number | null, status: StatusName): Uint8Array {
    if (ANSWERS_UNLOCK.has(status) || REFUSES_HELLO.has(status)) throw new Error(`${status} is never sent bare`);
    this.log(conn, type, status);
    return Uint8Array.of(0x04, STATUS[status]);
  }

  private log(conn: SpecConnection, type: number | null, status: StatusName | 'CHALLENGE', credentialId?: Uint8Array): void {
    this.audit.push({
      kind: 'message',
      at: this.clock.now(),
      connection: conn.id,
      type,
      status,
      ...(credentialId ? { credentialId: bytesUuid(credentialId) } : {}),
    });
  }
}

/** One BLE connection to the lock: frames written to `control`, frames read back from it. */
export class SpecConnection {
  private readonly reassembler: Reassembler;
  private replyFrames: Uint8Array[] = [];
  private connected = true;
  private idleTimer: unknown;

  constructor(
    private readonly lock: SpecLock,
    readonly id: number,
    private readonly clock: LockClock,
  ) {
    this.reassembler = new Reassembler(lock.maxFrame, MESSAGE_LIMIT);
    this.idleTimer = clock.setTimer(() => this.drop('idle'), IDLE_TIMEOUT_MS);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** §9 Connections: every write or read of `control` restarts the idle timer. */
  private touch(): void {
    if (!this.connected) throw new Error('disconnected');
    this.clock.clearTimer(this.idleTimer);
    this.idleTimer = this.clock.setTimer(() => this.drop('idle'), IDLE_TIMEOUT_MS);
  }

  /** A write with response to `control`. */
  write(f: Uint8Array): void {
    this.touch();
    const assembled = this.reassembler.push(f);
    if (assembled === null) return;
    const reply = this.lock.receive(this, 'error' in assembled ? null : assembled.message);
    // One reply per message; a new one replaces whatever of an older one is still unread.
    this.replyFrames = frame(reply, this.lock.maxFrame);
  }

  /** A read of `control`: the next reply frame, or empty when none is ready. */
  read(): Uint8Array {
    this.touch();
    return this.replyFrames.shift() ?? new Uint8Array(0);
  }

  disconnect(): void {
    this.drop('disconnected');
  }

  private drop(why: 'disconnected' | 'idle'): void {
    if (!this.connected) return;
    this.connected = false;
    this.clock.clearTimer(this.idleTimer);
    this.replyFrames = [];
    this.reassembler.reset();
    this.lock.dropped(this, why);
  }
}
