import { bytesToUuid, randomBytes as cryptoRandomBytes, uuidToBytes } from './bytes.ts';
import { KEY_LENGTH, LOCK_NONCE_LENGTH, NONCE_LENGTH, PHONE_NONCE_LENGTH, PROTOCOL_VERSION, TICKET_LENGTH } from './constants.ts';
import { FrameAssembler, splitFrames } from './framing.ts';
import { lockUpdateSequence } from './lock-update.ts';
import {
  authenticateResult,
  encodeHello,
  encodeUnlock,
  parseInfo,
  parseReply,
  SEALED_REFUSAL_LENGTH,
  type LockReply,
  type ResultReply,
  type SessionBinding,
} from './messages.ts';
import { isAuthenticatedStatus, Status, type StatusName } from './status.ts';
import { TransportError, type FrameTransport } from './transport.ts';

/** One mobile credential as the phone holds it (from the credential list). */
export interface UnlockCredential {
  credentialId: string;
  lockId: string;
  /** The 114-byte ticket, opaque to the phone. */
  ticket: Uint8Array;
  /** The 32-byte key sealed inside the ticket. */
  credentialKey: Uint8Array;
  /** The lock's latest lock update from the credential list, carried when the lock is behind. */
  lockUpdate?: Uint8Array;
}

/** The session's steps, in order, as reported to `onStep` when each begins. */
export type UnlockStep = 'info' | 'hello' | 'challenge' | 'unlock' | 'result';

/**
 * Why an unlock did not happen. `lock_<status>` is a status the lock reported (authenticated
 * where the spec says it must be); `lock_wrong_lock` also covers "no credential for this lock".
 */
export type UnlockErrorCode =
  | `lock_${Lowercase<Exclude<StatusName, 'OK'>>}`
  | 'lock_unauthenticated'
  | 'lock_protocol_error'
  | 'credential_invalid'
  | 'ble_timeout'
  | 'ble_disconnected'
  | 'ble_gatt_failed'
  | 'aborted';

/**
 * The end of one unlock attempt. `credentialId` and `lockId` are set once known; once a
 * credential is chosen they are that credential's own strings. `status` is the lock's status
 * when the lock reported one that could be trusted as far as the spec allows (authenticated,
 * or one the table lists as unauthenticated).
 */
export type UnlockOutcome =
  | { ok: true; credentialId: string; lockId: string }
  | { ok: false; code: UnlockErrorCode; credentialId?: string; lockId?: string; status?: StatusName };

export interface UnlockOptions {
  /** Aborts the attempt promptly; the outcome is then `aborted`. */
  signal?: AbortSignal;
  /** Each step's own timeout: the info read, each frame write, each whole reply. Default 10000. */
  stepTimeoutMs?: number;
  /**
   * Wait after an empty read before reading again. Default 20. With 0 the session reads back to
   * back without yielding to timers (for tests over an in-memory lock); the step deadline is
   * still enforced by the clock.
   */
  pollIntervalMs?: number;
  /** Source of the phone nonce (16 bytes) and the UNLOCK nonce (24); a CSPRNG unless a test injects one. */
  randomBytes?: (n: number) => Uint8Array;
  /** Told when each step begins; exceptions it throws are ignored. */
  onStep?: (step: UnlockStep) => void;
}

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
export const DEFAULT_POLL_INTERVAL_MS = 20;
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 0x7fffffff;

/**
 * Runs one unlock over a connected transport (docs/protocol.md, "Phone side"): read `info`,
 * pick the credential for that lock, HELLO (with the lock update when the lock is behind),
 * CHALLENGE (or an early RESULT), UNLOCK, RESULT.
 *
 * It reports success only for an OK whose tag opens with the credential key, this session's
 * fresh phone nonce and the lock nonce of its CHALLENGE; anything else claiming success is
 * `lock_unauthenticated`. It never throws for anything the lock, the transport or the
 * credentials hold: a credential list that is not well formed (a ticket that is not 114 bytes
 * of version 0x02, a key that is not 32 bytes, a lock update that is not a version-2 one, an id
 * that is not a UUID) is `credential_invalid`, before any transport call. It never has two
 * transport calls in flight. After a timeout or an abort a transport call may still be
 * pending: the session issues no further call, and the caller must disconnect the transport
 * (as it must after every attempt, successful or not).
 *
 * @throws RangeError (as a rejected promise) only for misuse of `options`.
 */
export async function unlockWithTransport(
  transport: FrameTransport,
  credentials: readonly UnlockCredential[],
  options: UnlockOptions = {},
): Promise<UnlockOutcome> {
  const link = new Link(transport, options);
  if (!wellFormed(credentials)) return { ok: false, code: 'credential_invalid' };
  const known: Known = {};
  try {
    return await converse(link, credentials, known, options);
  } catch (e) {
    if (e instanceof Halt) return { ok: false, code: e.code, ...known, ...(e.status ? { status: e.status } : {}) };
    throw e;
  }
}

interface Known {
  credentialId?: string;
  lockId?: string;
}

async function converse(
  link: Link,
  credentials: readonly UnlockCredential[],
  known: Known,
  options: UnlockOptions,
): Promise<UnlockOutcome> {
  const step = (name: UnlockStep): void => {
    try {
      options.onStep?.(name);
    } catch {
      // A host callback must not be able to break the unlock.
    }
  };

  step('info');
  const info = parseInfo(await link.readInfo());
  if (!info.ok) throw new Halt(info.reason === 'version' ? 'lock_unsupported_version' : 'lock_protocol_error');
  known.lockId = info.lockId;
  // Not this user's lock: say so without talking to it.
  const credential = credentials.find((c) => bytesToUuid(uuidToBytes(c.lockId)) === info.lockId);
  if (credential === undefined) throw new Halt('lock_wrong_lock');
  known.credentialId = credential.credentialId;
  known.lockId = credential.lockId;

  // The lock publishes the update it holds: carry ours only when it is newer, so a current
  // lock costs nothing extra.
  const update = credential.lockUpdate;
  const carry = update !== undefined && (lockUpdateSequence(update) ?? 0) > info.updateSequence ? update : undefined;
  const random = options.randomBytes ?? cryptoRandomBytes;
  const binding: SessionBinding = {
    credentialKey: credential.credentialKey,
    credentialId: credential.credentialId,
    phoneNonce: random(PHONE_NONCE_LENGTH).slice(0, PHONE_NONCE_LENGTH),
    lockNonce: new Uint8Array(LOCK_NONCE_LENGTH),
  };
  step('hello');
  await link.send(encodeHello(binding.phoneNonce, credential.ticket, carry), info.maxFrame);
  step('challenge');
  const first = await link.receive();
  // A RESULT already: the lock refused the ticket. Sealed, it names the session's lock nonce.
  // OK answers only an UNLOCK: a success claimed here is no success, whatever its tag.
  if (first.type === 'result') {
    if (first.status === 'OK' || (first.seal !== null && first.seal.lockNonce === null)) throw new Halt('lock_unauthenticated');
    return judge(first, { ...binding, lockNonce: first.seal?.lockNonce ?? binding.lockNonce }, credential);
  }
  if (first.type !== 'challenge') throw new Halt('lock_protocol_error');
  binding.lockNonce = first.lockNonce;

  step('unlock');
  await link.send(encodeUnlock(binding, random(NONCE_LENGTH).slice(0, NONCE_LENGTH)), info.maxFrame);
  step('result');
  const reply = await link.receive();
  if (reply.type !== 'result') throw new Halt('lock_protocol_error');
  // The answer to UNLOCK never names a lock nonce: one that does is no answer to this UNLOCK.
  if (reply.seal !== null && reply.seal.lockNonce !== null) throw new Halt('lock_unauthenticated');
  return judge(reply, binding, credential);
}

/**
 * Turns a RESULT into the outcome, trusting only what the spec lets it trust: a status the
 * table lists as authenticated counts only when its tag opens for this session's nonces.
 */
function judge(result: ResultReply, binding: SessionBinding, credential: UnlockCredential): UnlockOutcome {
  const mustAuthenticate = isAuthenticatedStatus(Status[result.status]);
  if (result.seal === null) {
    // OK, REVOKED, ... without a tag: anyone could have sent it.
    if (mustAuthenticate) throw new Halt('lock_unauthenticated');
    throw new Halt(lockErrorCode(result.status), result.status);
  }
  if (!authenticateResult(result, binding)) throw new Halt('lock_unauthenticated');
  if (result.status === 'OK') return { ok: true, credentialId: credential.credentialId, lockId: credential.lockId };
  throw new Halt(lockErrorCode(result.status), result.status);
}

function lockErrorCode(status: StatusName): UnlockErrorCode {
  return `lock_${status.toLowerCase()}` as UnlockErrorCode;
}

/** Ends the attempt early; internal control flow that never leaves `unlockWithTransport`. */
class Halt {
  constructor(
    readonly code: UnlockErrorCode,
    readonly status?: StatusName,
  ) {}
}

/**
 * The session's view of the transport: one GATT operation at a time, each bounded by its
 * step's deadline and by the caller's signal, with transport failures mapped to outcomes.
 */
class Link {
  private readonly transport: FrameTransport;
  private readonly signal: AbortSignal | undefined;
  private readonly stepTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(transport: FrameTransport, options: UnlockOptions) {
    this.transport = transport;
    this.signal = options.signal;
    this.stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (!(this.stepTimeoutMs > 0 && this.stepTimeoutMs <= MAX_TIMER_MS)) {
      throw new RangeError(`stepTimeoutMs must be in 1..${MAX_TIMER_MS}`);
    }
    if (!(this.pollIntervalMs >= 0 && this.pollIntervalMs <= MAX_TIMER_MS)) {
      throw new RangeError(`pollIntervalMs must be in 0..${MAX_TIMER_MS}`);
    }
  }

  async readInfo(): Promise<Uint8Array> {
    return bytesFrom(await this.op(this.deadline(), (s) => this.transport.readInfo(s)));
  }

  /** Writes a message frame by frame, each write with its own timeout. */
  async send(message: Uint8Array, maxFrame: number): Promise<void> {
    for (const frame of splitFrames(message, maxFrame)) {
      await this.op(this.deadline(), (s) => this.transport.writeFrame(frame, s));
    }
  }

  /** Reads one whole reply, polling while the lock has nothing ready, within one timeout. */
  async receive(): Promise<LockReply> {
    const deadline = this.deadline();
    // No valid reply is longer than a sealed refusal; a longer one is refused early.
    const assembler = new FrameAssembler(SEALED_REFUSAL_LENGTH);
    for (;;) {
      const frame = bytesFrom(await this.op(deadline, (s) => this.transport.readFrame(s)));
      if (frame.length === 0) {
        await this.pause(deadline);
        continue;
      }
      const pushed = assembler.push(frame);
      if (pushed.kind === 'malformed') throw new Halt('lock_protocol_error');
      if (pushed.kind === 'message') return parseReply(pushed.message);
    }
  }

  private deadline(): number {
    return performance.now() + this.stepTimeoutMs;
  }

  /** Runs one transport call; settles with its value or a Halt, whichever comes first. */
  private op<T>(deadline: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.signal?.aborted) return Promise.reject(new Halt('aborted'));
    const remaining = deadline - performance.now();
    if (remaining <= 0) return Promise.reject(new Halt('ble_timeout'));
    return new Promise<T>((resolve, reject) => {
      // Aborted when the step ends early, so the transport may give up on the call too.
      const callController = new AbortController();
      let settled = false;
      const settle = (finish: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        finish();
      };
      const onAbort = (): void =>
        settle(() => {
          reject(new Halt('aborted'));
          callController.abort(this.signal?.reason);
        });
      const timer = setTimeout(
        () =>
          settle(() => {
            reject(new Halt('ble_timeout'));
            callController.abort(new DOMException('unlock step timed out', 'TimeoutError'));
          }),
        remaining,
      );
      this.signal?.addEventListener('abort', onAbort, { once: true });
      let pending: Promise<T>;
      try {
        pending = Promise.resolve(call(callController.signal));
      } catch (e) {
        pending = Promise.reject(e);
      }
      // Both handlers are attached, so a call that settles after a timeout is swallowed.
      pending.then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(new Halt(failureCode(error)))),
      );
    });
  }

  /** Waits before the next read, ending early (with a Halt) on abort or at the deadline. */
  private pause(deadline: number): Promise<void> {
    if (this.signal?.aborted) return Promise.reject(new Halt('aborted'));
    const remaining = deadline - performance.now();
    if (remaining <= 0) return Promise.reject(new Halt('ble_timeout'));
    if (this.pollIntervalMs === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new Halt('aborted'));
      };
      const timer = setTimeout(() => {
        this.signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.min(this.pollIntervalMs, remaining));
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function failureCode(error: unknown): UnlockErrorCode {
  return error instanceof TransportError && error.kind === 'disconnected' ? 'ble_disconnected' : 'ble_gatt_failed';
}

/** A transport that hands back something other than bytes is broken: a GATT failure. */
function bytesFrom(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new Halt('ble_gatt_failed');
  return value;
}

/** Whether every credential is one the phone can send (docs/protocol.md, section 11, step 2). */
function wellFormed(credentials: readonly UnlockCredential[]): boolean {
  if (!Array.isArray(credentials)) return false;
  return credentials.every((c: unknown) => {
    if (typeof c !== 'object' || c === null) return false;
    const { credentialId, lockId, ticket, credentialKey, lockUpdate } = c as Partial<UnlockCredential>;
    return (
      isUuid(credentialId) &&
      isUuid(lockId) &&
      ticket instanceof Uint8Array &&
      ticket.length === TICKET_LENGTH &&
      ticket[0] === PROTOCOL_VERSION &&
      credentialKey instanceof Uint8Array &&
      credentialKey.length === KEY_LENGTH &&
      (lockUpdate === undefined || lockUpdateSequence(lockUpdate) !== null)
    );
  });
}

function isUuid(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    uuidToBytes(value);
    return true;
  } catch {
    return false;
  }
}
