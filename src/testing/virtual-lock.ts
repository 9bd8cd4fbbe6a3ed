import { bytesToHex, bytesToUuid, hexToBytes, randomBytes as cryptoRandomBytes, uuidToBytes } from '../protocol/bytes.ts';
import {
  CHALLENGE_WINDOW_MS,
  CLOCK_SKEW_S,
  IDLE_TIMEOUT_MS,
  KEY_LENGTH,
  LOCK_NONCE_LENGTH,
  MAX_MAX_FRAME,
  MIN_MAX_FRAME,
  NONCE_LENGTH,
} from '../protocol/constants.ts';
import { DEFAULT_MESSAGE_LIMIT, FrameAssembler, splitFrames } from '../protocol/framing.ts';
import { judgeLockUpdate, type UpdateRefusal } from '../protocol/lock-update.ts';
import {
  encodeChallenge,
  encodeInfo,
  encodeResult,
  openUnlock,
  parseRequest,
  sealResult,
  UNLOCK_COMMAND,
  type LockRequest,
  type SessionBinding,
} from '../protocol/messages.ts';
import { isAuthenticatedStatus, Status, type StatusName } from '../protocol/status.ts';
import { openTicket } from '../protocol/ticket.ts';
import { noFaults, replyOnTheAir, type LockFaults } from './lock-faults.ts';

export type { LockFaults } from './lock-faults.ts';
export { noFaults } from './lock-faults.ts';
export type { UpdateRefusal } from '../protocol/lock-update.ts';

export interface VirtualLockOptions {
  lockId: string;
  /**
   * The lock's 32-byte key. Locks built with the same key model readers that share one (an
   * elevator bank): each opens the others' tickets and answers them `WRONG_LOCK`.
   */
  lockKey: Uint8Array;
  /** BLE local name; default `IK-` and the first 6 hex digits of `lockId`, upper case. */
  name?: string;
  /** Largest frame accepted (and sent), 20..512; default 512. */
  maxFrame?: number;
  /** The lock's clock, ms since the epoch; default `Date.now`. */
  now?: () => number;
  randomBytes?: (n: number) => Uint8Array;
  /** Largest message accepted; default 2048, as the reference lock. */
  messageLimit?: number;
  /**
   * How long after its CHALLENGE a session waits for the whole UNLOCK; default 2000 ms, the
   * spec's BUSY bound. Tests on a clock that jumps may widen it.
   */
  challengeWindowMs?: number;
  /**
   * A connection with no `control` write or read for this long is dropped (at its next
   * operation, or when any connection is opened or used); default 10000 ms, the spec's
   * `IDLE_TIMEOUT`. `exchange()`'s connection is exempt.
   */
  idleTimeoutMs?: number;
  faults?: Partial<LockFaults>;
}

/** Why a session ended other than by its RESULT (docs/protocol.md, section 9, "Audit"). */
export type SessionEndReason = 'deadline' | 'superseded' | 'idle' | 'disconnected';

/**
 * One line of the lock's audit log: one message received and the status it earned, (as
 * `UPDATE`, before the HELLO that carried it) a lock update applied or refused, or (as `END`)
 * a session that ended without its RESULT.
 */
export interface AuditEntry {
  /** When, by the lock's (possibly skewed) clock, ISO 8601. */
  at: string;
  connection: number;
  /** From the ticket, once the lock has opened it; else null. */
  credentialId: string | null;
  message: 'HELLO' | 'UNLOCK' | 'OTHER' | 'UPDATE' | 'END';
  /** `OK` on a HELLO means the ticket passed and a CHALLENGE went out; null on `UPDATE` and `END`. */
  status: StatusName | null;
  /** On `END` only: why, and for `superseded` the connection whose HELLO took over. */
  end?: { reason: SessionEndReason; by?: number };
  /** On `UPDATE` only: the sequence the update claimed (null when unreadable) and what became of it. */
  update?: { sequence: number | null; outcome: 'applied' | UpdateRefusal };
}

/** One BLE connection to the lock, at the frame level. */
export interface LockConnection {
  readonly id: number;
  /** Writes one frame to `control`. @throws LockDisconnectedError once the link is down. */
  writeFrame(frame: Uint8Array): void;
  /** Reads `control`: the next reply frame, or an empty value while none is ready. */
  readFrame(): Uint8Array;
  close(): void;
  readonly closed: boolean;
}

/** The lock dropped (or had dropped) the connection the operation was made on. */
export class LockDisconnectedError extends Error {
  override readonly name = 'LockDisconnectedError';
  constructor(message = 'the lock dropped the connection') {
    super(message);
  }
}

interface OpenSession {
  connection: number;
  binding: SessionBinding;
  /** The UNLOCK must have arrived before this (lock clock, ms). */
  deadline: number;
}

/** What a connection needs from its lock; closures keep the lock's state private. */
interface LockSide {
  readonly maxFrame: number;
  readonly messageLimit: number;
  faults(): LockFaults;
  now(): number;
  /** The reply to one whole message (or to a malformed one), or null when the lock stays silent. */
  receive(connection: number, message: Uint8Array | null): Uint8Array | null;
  /** Drops idle connections (this one included) before an operation. */
  sweepIdle(): void;
  closed(connection: number, reason: SessionEndReason): void;
}

/**
 * The lock side of the protocol (docs/protocol.md, "Lock side") as a pure state machine: no
 * timers, no I/O; time comes from the injected clock. One session at a time across all
 * connections, as a real lock with one bolt has; a session lasts from its CHALLENGE until its
 * UNLOCK, at most `challengeWindowMs`, and another connection's HELLO that passes the ticket
 * checks supersedes it (so no replayed HELLO, nor a chain of them, keeps a guest out).
 * Connections idle for `idleTimeoutMs` are dropped.
 *
 * Revocation: the lock holds a list of revoked credentials and the sequence of the lock update
 * it came from (published in `info`). A HELLO may carry a newer update, which the lock applies
 * only when it is authentic and for this lock, before judging the ticket; every update it sees
 * is logged, applied or refused. `revoke()` adds to the list by hand, as an installer could.
 *
 * Shared-key groups: locks built with the same `lockKey` and different `lockId`s open each
 * other's tickets and answer them with an authenticated `WRONG_LOCK`.
 */
export class VirtualLock {
  /** Lowercase UUID. */
  readonly lockId: string;
  readonly name: string;
  readonly maxFrame: number;
  /** Mutable at any time, also field by field. */
  faults: LockFaults;

  readonly #lockKey: Uint8Array;
  readonly #now: () => number;
  readonly #random: (n: number) => Uint8Array;
  readonly #messageLimit: number;
  readonly #challengeWindowMs: number;
  /** The list from the newest applied update, and what `revoke()` added. */
  #updateList: ReadonlySet<string> = new Set();
  readonly #localRevoked = new Set<string>();
  #updateSequence = 0;
  readonly #log: AuditEntry[] = [];
  readonly #impostorCounts = new Map<number, number>();
  #unlockCount = 0;
  #session: OpenSession | null = null;
  readonly #idleTimeoutMs: number;
  /** Open connections, for the idle sweep. */
  readonly #connections = new Map<number, Connection>();
  #nextConnection = 1;
  #defaultConnection: LockConnection | null = null;

  constructor(options: VirtualLockOptions) {
    const idBytes = uuidToBytes(options.lockId);
    if (!(options.lockKey instanceof Uint8Array)) throw new TypeError('lockKey must be a Uint8Array');
    if (options.lockKey.length !== KEY_LENGTH) throw new RangeError(`lockKey must be ${KEY_LENGTH} bytes`);
    const maxFrame = options.maxFrame ?? MAX_MAX_FRAME;
    if (!Number.isInteger(maxFrame) || maxFrame < MIN_MAX_FRAME || maxFrame > MAX_MAX_FRAME) {
      throw new RangeError(`maxFrame must be an integer from ${MIN_MAX_FRAME} to ${MAX_MAX_FRAME}`);
    }
    const messageLimit = options.messageLimit ?? DEFAULT_MESSAGE_LIMIT;
    if (!Number.isInteger(messageLimit) || messageLimit < 1) throw new RangeError('messageLimit must be a positive integer');
    const challengeWindowMs = options.challengeWindowMs ?? CHALLENGE_WINDOW_MS;
    if (!(challengeWindowMs > 0)) throw new RangeError('challengeWindowMs must be positive');
    const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    if (!(idleTimeoutMs > 0)) throw new RangeError('idleTimeoutMs must be positive');
    this.#idleTimeoutMs = idleTimeoutMs;
    this.lockId = bytesToUuid(idBytes);
    this.name = options.name ?? `IK-${bytesToHex(idBytes.subarray(0, 3)).toUpperCase()}`;
    this.maxFrame = maxFrame;
    this.faults = { ...noFaults(), ...options.faults };
    this.#lockKey = options.lockKey.slice();
    this.#now = options.now ?? Date.now;
    this.#random = options.randomBytes ?? cryptoRandomBytes;
    this.#messageLimit = messageLimit;
    this.#challengeWindowMs = challengeWindowMs;
  }

  /** The audit log, oldest first. */
  get log(): readonly AuditEntry[] {
    return this.#log;
  }

  /** How many times the bolt was really driven open. */
  get unlockCount(): number {
    return this.#unlockCount;
  }

  /** The sequence of the newest lock update applied; 0 before any. */
  get updateSequence(): number {
    return this.#updateSequence;
  }

  /** Credential ids the lock refuses (`REVOKED`), sorted: the applied update's list and `revoke()`'s. */
  get revocationList(): string[] {
    return [...new Set([...this.#updateList, ...this.#localRevoked])].sort();
  }

  /** The `info` characteristic: `version | lock_id | max_frame | update_sequence`. */
  info(): Uint8Array {
    return encodeInfo(this.lockId, this.maxFrame, this.#updateSequence);
  }

  /** Puts a credential on the lock's list by hand: its live tickets get `REVOKED`. */
  revoke(credentialId: string): void {
    this.#localRevoked.add(bytesToUuid(uuidToBytes(credentialId)));
  }

  /**
   * Takes a lock update as if a phone had carried it (logged on connection 0): applied only
   * when authentic, for this lock and newer than the one held.
   */
  applyUpdate(update: Uint8Array): 'applied' | UpdateRefusal {
    if (!(update instanceof Uint8Array)) throw new TypeError('update must be a Uint8Array');
    return this.#applyUpdate(0, update, this.#now());
  }

  /** A new BLE connection; it does not stop other connections (a lock keeps advertising). */
  connect(): LockConnection {
    const lock: LockSide = {
      maxFrame: this.maxFrame,
      messageLimit: this.#messageLimit,
      faults: () => this.faults,
      now: () => this.#now(),
      receive: (connection, message) => this.#receive(connection, message),
      sweepIdle: () => this.#sweepIdle(),
      closed: (connection, reason) => {
        this.#connections.delete(connection);
        if (this.#session?.connection === connection) this.#endSession(reason, this.#now());
        this.#impostorCounts.delete(connection);
      },
    };
    this.#sweepIdle();
    const connection = new Connection(this.#nextConnection++, lock);
    this.#connections.set(connection.id, connection);
    return connection;
  }

  /** Drops every connection idle for `idleTimeoutMs` (docs/protocol.md, section 9, "Connections"). */
  #sweepIdle(): void {
    const now = this.#now();
    // A deadline that passed came first (it is always under IDLE_TIMEOUT after the last frame).
    if (this.#session !== null && now >= this.#session.deadline) this.#endSession('deadline', now);
    for (const connection of [...this.#connections.values()]) {
      if (now - connection.lastActivity >= this.#idleTimeoutMs) connection.drop('idle');
    }
  }

  #endSession(reason: SessionEndReason, now: number, by?: number): void {
    const session = this.#session;
    if (session === null) return;
    this.#session = null;
    this.#log.push({
      at: this.#at(now),
      connection: session.connection,
      credentialId: session.binding.credentialId,
      message: 'END',
      status: null,
      end: by === undefined ? { reason } : { reason, by },
    });
  }

  /**
   * One whole message in, the whole reply out, on a connection of its own that persists
   * between calls: for tests of the message layer, and for any client that does its own
   * framing (HELLO, then UNLOCK, on this one connection). Framing, latency and disconnection
   * faults do not apply; an empty result means the lock stayed silent (`hangAt`).
   */
  exchange(message: Uint8Array): Uint8Array {
    if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
    if (this.#defaultConnection === null) {
      this.#defaultConnection = this.connect();
      // Exempt from the idle drop: it has no frames to be idle between.
      this.#connections.delete(this.#defaultConnection.id);
    }
    return this.#receive(this.#defaultConnection.id, message) ?? new Uint8Array(0);
  }

  #receive(connection: number, message: Uint8Array | null): Uint8Array | null {
    const now = this.#now();
    const impostor = this.faults.impostorReplies;
    if (impostor !== null) return this.#impersonate(connection, impostor);
    // The session deadline, checked lazily: the lock has no timers.
    if (this.#session !== null && now >= this.#session.deadline) this.#endSession('deadline', now);
    if (message === null) return this.#refuse(connection, 'OTHER', 'MALFORMED', now);
    const request = parseRequest(message);
    if (request.type === this.faults.hangAt) return null;
    if (request.type === 'hello' || request.type === 'hello_malformed') return this.#hello(connection, request, now);
    if (request.type === 'unlock') return this.#unlock(connection, request.message, now);
    return this.#refuse(connection, 'OTHER', 'OUT_OF_ORDER', now);
  }

  /** The `impostorReplies` fault: the n-th message of a connection gets the n-th recorded reply. */
  #impersonate(connection: number, replies: readonly string[]): Uint8Array | null {
    const n = this.#impostorCounts.get(connection) ?? 0;
    this.#impostorCounts.set(connection, n + 1);
    const reply = replies[n];
    return reply === undefined ? null : hexToBytes(reply);
  }

  /** docs/protocol.md, section 9, "On a HELLO", steps 1 to 7. */
  #hello(connection: number, hello: Extract<LockRequest, { type: 'hello' | 'hello_malformed' }>, now: number): Uint8Array {
    if (this.#session?.connection === connection) return this.#refuse(connection, 'HELLO', 'OUT_OF_ORDER', now);
    // The bolt is moving for another phone (only a fault here: this lock drives it at once).
    if (this.faults.busy) return this.#reply(connection, 'HELLO', null, 'BUSY', now);
    if (hello.type === 'hello_malformed') return this.#reply(connection, 'HELLO', null, 'MALFORMED', now);
    if (hello.lockUpdate !== null) this.#applyUpdate(connection, hello.lockUpdate, now);
    const opened = openTicket(this.#lockKey, hello.ticket);
    if (!opened.ok) {
      const status = opened.reason === 'unsupported_version' ? 'UNSUPPORTED_VERSION' : 'BAD_TICKET';
      return this.#reply(connection, 'HELLO', null, status, now);
    }
    const t = opened.ticket;
    const binding: SessionBinding = {
      credentialKey: t.credentialKey,
      credentialId: t.credentialId,
      phoneNonce: hello.phoneNonce,
      lockNonce: this.#random(LOCK_NONCE_LENGTH).slice(0, LOCK_NONCE_LENGTH),
    };
    const nowS = Math.floor(now / 1000) + this.faults.clockOffsetS;
    const refusal: StatusName | null =
      t.lockId !== this.lockId
        ? 'WRONG_LOCK'
        : (t.permissions & 1) === 0
          ? 'FORBIDDEN'
          : this.#updateList.has(t.credentialId) || this.#localRevoked.has(t.credentialId)
            ? 'REVOKED'
            : nowS + CLOCK_SKEW_S < t.notBefore
              ? 'NOT_YET_VALID'
              : nowS - CLOCK_SKEW_S > t.notAfter
                ? 'EXPIRED'
                : null;
    if (refusal !== null) return this.#reply(connection, 'HELLO', binding, refusal, now);
    // Superseding: a session still waiting for its UNLOCK holds nothing against a HELLO that
    // passed every check, or a chain of replayed HELLOs would keep every guest out.
    if (this.#session !== null) this.#endSession('superseded', now, connection);
    // The window opens when the CHALLENGE is readable.
    this.#session = { connection, binding, deadline: now + this.faults.replyLatencyMs + this.#challengeWindowMs };
    this.#audit(connection, 'HELLO', t.credentialId, 'OK', now);
    return replyOnTheAir(encodeChallenge(binding.lockNonce), this.faults, this.#random);
  }

  /** Applies an authentic, newer update for this lock; logs every update, applied or refused. */
  #applyUpdate(connection: number, bytes: Uint8Array, now: number): 'applied' | UpdateRefusal {
    const judged = judgeLockUpdate(this.#lockKey, this.lockId, this.#updateSequence, bytes);
    if (judged.ok) {
      this.#updateSequence = judged.update.sequence;
      this.#updateList = new Set(judged.update.revoked);
    }
    const update = judged.ok
      ? { sequence: judged.update.sequence, outcome: 'applied' as const }
      : { sequence: judged.sequence, outcome: judged.reason };
    this.#log.push({ at: this.#at(now), connection, credentialId: null, message: 'UPDATE', status: null, update });
    return update.outcome;
  }

  #unlock(connection: number, message: Uint8Array, now: number): Uint8Array {
    const session = this.#session;
    if (session?.connection !== connection) return this.#refuse(connection, 'UNLOCK', 'OUT_OF_ORDER', now);
    this.#session = null;
    const opened = openUnlock(message, session.binding);
    let status: StatusName;
    if (!opened.ok || opened.command !== UNLOCK_COMMAND) status = 'BAD_PROOF';
    else if (this.faults.jammed) status = 'JAMMED';
    else {
      this.#unlockCount++;
      status = 'OK';
    }
    return this.#reply(connection, 'UNLOCK', session.binding, status, now);
  }

  /** OUT_OF_ORDER or MALFORMED: the message is refused and this connection's session ends. */
  #refuse(connection: number, message: AuditEntry['message'], status: StatusName, now: number): Uint8Array {
    const session = this.#session?.connection === connection ? this.#session : null;
    if (session !== null) this.#session = null;
    return this.#reply(connection, message, null, status, now, session?.binding.credentialId ?? null);
  }

  /** Logs and encodes a RESULT; sealed when the table says so (the ticket is open by then). */
  #reply(
    connection: number,
    message: AuditEntry['message'],
    binding: SessionBinding | null,
    status: StatusName,
    now: number,
    credentialId: string | null = binding?.credentialId ?? null,
  ): Uint8Array {
    this.#audit(connection, message, credentialId, status, now);
    const result =
      binding !== null && isAuthenticatedStatus(Status[status])
        ? sealResult(status, binding, message === 'HELLO' ? 'hello' : 'unlock', this.#random(NONCE_LENGTH).slice(0, NONCE_LENGTH))
        : encodeResult(status);
    return replyOnTheAir(result, this.faults, this.#random);
  }

  #audit(connection: number, message: AuditEntry['message'], credentialId: string | null, status: StatusName, now: number): void {
    this.#log.push({ at: this.#at(now), connection, credentialId, message, status });
  }

  #at(now: number): string {
    return new Date(now + this.faults.clockOffsetS * 1000).toISOString();
  }
}

interface PendingReply {
  frames: Uint8Array[];
  readyAt: number;
}

/** One connection: reassembles the phone's frames and holds the lock's latest reply. */
class Connection implements LockConnection {
  readonly id: number;
  /** When `control` was last written or read (or the connection opened), by the lock's clock. */
  lastActivity: number;
  #closed = false;
  #frames = 0;
  readonly #lock: LockSide;
  readonly #assembler: FrameAssembler;
  /** One reply at a time: a new one replaces whatever of the last is unread (spec section 7). */
  #reply: PendingReply | null = null;

  constructor(id: number, lock: LockSide) {
    this.id = id;
    this.#lock = lock;
    this.#assembler = new FrameAssembler(lock.messageLimit, lock.maxFrame);
    this.lastActivity = lock.now();
  }

  get closed(): boolean {
    return this.#closed;
  }

  writeFrame(frame: Uint8Array): void {
    if (!(frame instanceof Uint8Array)) throw new TypeError('frame must be a Uint8Array');
    this.#begin();
    const pushed = this.#assembler.push(frame);
    if (pushed.kind !== 'partial') {
      const reply = this.#lock.receive(this.id, pushed.kind === 'message' ? pushed.message : null);
      if (reply !== null) this.#reply = { frames: splitFrames(reply, this.#lock.maxFrame), readyAt: this.#lock.now() };
    }
    this.#counted();
  }

  readFrame(): Uint8Array {
    this.#begin();
    const reply = this.#reply;
    if (reply === null || this.#lock.now() - reply.readyAt < this.#lock.faults().replyLatencyMs) {
      return new Uint8Array(0);
    }
    const frame = reply.frames.shift()!;
    if (reply.frames.length === 0) this.#reply = null;
    this.#counted();
    return frame;
  }

  close(): void {
    this.drop('disconnected');
  }

  /** Ends the link; the lock ends this connection's session, if any, for `reason`. */
  drop(reason: SessionEndReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reply = null;
    this.#lock.closed(this.id, reason);
  }

  #begin(): void {
    if (this.#closed) throw new LockDisconnectedError();
    this.#lock.sweepIdle();
    if (this.#closed) throw new LockDisconnectedError('the lock dropped the idle connection');
    this.lastActivity = this.#lock.now();
    // The fault may be set (or lowered) mid-connection: honour it before the next frame too.
    if (this.#limitReached()) {
      this.close();
      throw new LockDisconnectedError();
    }
  }

  #counted(): void {
    this.#frames++;
    if (this.#limitReached()) this.close();
  }

  #limitReached(): boolean {
    const limit = this.#lock.faults().disconnectAfterFrames;
    return limit !== null && this.#frames >= limit;
  }
}
