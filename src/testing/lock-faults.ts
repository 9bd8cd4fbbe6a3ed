import { MessageType } from '../protocol/messages.ts';
import { Status } from '../protocol/status.ts';

/**
 * Misbehaviour a `VirtualLock` can be told to show; every field may change at any time.
 * `spoofUnauthenticatedOk`, `garbageReply` and `truncatedReply` change only what goes on the
 * air: the lock still acts on the message (it may drive the bolt), as a corrupted or hijacked
 * reply path would.
 */
export interface LockFaults {
  /** The motor fails: a valid UNLOCK gets `JAMMED`. */
  jammed: boolean;
  /** Every HELLO gets `BUSY`, as if the bolt were moving for another phone's UNLOCK. */
  busy: boolean;
  /** Seconds added to the lock's clock (skew against the ticket's window). */
  clockOffsetS: number;
  /** A reply can be read only once it has been ready this long (by the lock's clock). */
  replyLatencyMs: number;
  /** The lock ignores this message entirely: no state change, no log, reads stay empty. */
  hangAt: null | 'hello' | 'unlock';
  /**
   * After this many frames (writes plus non-empty reads) the lock drops the connection: it is
   * `closed` and every later operation on it throws `LockDisconnectedError`.
   */
  disconnectAfterFrames: null | number;
  /** Replies are random bytes (framed, with a first byte that is no message type). */
  garbageReply: boolean;
  /** Replies lose their last byte. */
  truncatedReply: boolean;
  /** Every RESULT goes out as the unauthenticated `04 00`: "OK", without a tag. */
  spoofUnauthenticatedOk: boolean;
  /**
   * An impostor replaying a recording: the n-th whole message of each connection is answered
   * with the n-th of these replies (lowercase hex), whatever it says, and nothing else happens:
   * no bolt, no log, no session. Past the end of the list the lock stays silent.
   */
  impostorReplies: null | string[];
}

/** A well-behaved lock. */
export function noFaults(): LockFaults {
  return {
    jammed: false,
    busy: false,
    clockOffsetS: 0,
    replyLatencyMs: 0,
    hangAt: null,
    disconnectAfterFrames: null,
    garbageReply: false,
    truncatedReply: false,
    spoofUnauthenticatedOk: false,
    impostorReplies: null,
  };
}

/** What actually goes on the air for `reply` under `faults`. */
export function replyOnTheAir(
  reply: Uint8Array,
  faults: LockFaults,
  randomBytes: (n: number) => Uint8Array,
): Uint8Array {
  let out = reply;
  if (faults.spoofUnauthenticatedOk && out[0] === MessageType.RESULT) out = Uint8Array.of(MessageType.RESULT, Status.OK);
  if (faults.garbageReply) {
    out = randomBytes(out.length).slice(0, out.length);
    // Bit 7 set: never a message type, so garbage cannot pass for a CHALLENGE by chance.
    out[0] = out[0]! | 0x80;
  }
  if (faults.truncatedReply && out.length > 1) out = out.slice(0, -1);
  return out;
}
