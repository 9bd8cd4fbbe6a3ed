import { MAX_MAX_FRAME, MIN_MAX_FRAME } from './constants.ts';

/** Header bit 7: the last frame of a message (docs/protocol.md, "Framing"). */
export const FRAME_FINAL = 0x80;
const SEQ_MASK = 0x7f;
/** Sequence numbers are 7 bits, so a message has at most 128 frames. */
export const MAX_FRAMES = 128;
/** The reference lock's message limit (room for the largest HELLO: 1792 bytes), and the assembler's default. */
export const DEFAULT_MESSAGE_LIMIT = 2048;

/**
 * Splits one message into frames of at most `maxFrame` bytes: `header | chunk`, where the
 * header carries FINAL (bit 7) and the sequence number (bits 0-6, from 0). Chunks are as long
 * as `maxFrame` allows, so the frame count is the smallest possible.
 *
 * @throws TypeError when `message` is not a Uint8Array.
 * @throws RangeError when `message` is empty, `maxFrame` is outside 20..512, or the message
 *   needs more than 128 frames.
 */
export function splitFrames(message: Uint8Array, maxFrame: number): Uint8Array[] {
  if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
  if (!Number.isInteger(maxFrame) || maxFrame < MIN_MAX_FRAME || maxFrame > MAX_MAX_FRAME) {
    throw new RangeError(`maxFrame must be an integer from ${MIN_MAX_FRAME} to ${MAX_MAX_FRAME}`);
  }
  // A frame's chunk is never empty, so an empty message has no encoding.
  if (message.length === 0) throw new RangeError('cannot frame an empty message');
  const chunkSize = maxFrame - 1;
  const count = Math.ceil(message.length / chunkSize);
  if (count > MAX_FRAMES) {
    throw new RangeError(`message of ${message.length} bytes needs ${count} frames; at most ${MAX_FRAMES} allowed`);
  }
  const frames: Uint8Array[] = [];
  for (let seq = 0; seq < count; seq++) {
    const chunk = message.subarray(seq * chunkSize, (seq + 1) * chunkSize);
    const frame = new Uint8Array(1 + chunk.length);
    frame[0] = seq | (seq === count - 1 ? FRAME_FINAL : 0);
    frame.set(chunk, 1);
    frames.push(frame);
  }
  return frames;
}

/** Why the assembler discarded a message; the receiver answers `MALFORMED` for all of them. */
export type MalformedReason =
  | 'empty_frame'
  | 'empty_chunk'
  | 'frame_too_long'
  | 'sequence'
  | 'too_many_frames'
  | 'over_limit';

/** What one pushed frame did to the message being assembled. */
export type FramePushResult =
  | { kind: 'partial' }
  | { kind: 'message'; message: Uint8Array }
  | { kind: 'malformed'; reason: MalformedReason };

/**
 * Reassembles frames into messages, one message at a time. After a complete or a malformed
 * message it starts afresh, so a frame following a FINAL frame must begin a new message at
 * sequence 0 (anything else is malformed).
 */
export class FrameAssembler {
  private readonly limitBytes: number;
  private readonly maxFrame: number;
  private chunks: Uint8Array[] = [];
  private length = 0;

  /**
   * @param limitBytes largest message accepted (docs/protocol.md lets receivers set one; the
   *   reference lock uses 2048).
   * @param maxFrame largest frame accepted, header included.
   */
  constructor(limitBytes = DEFAULT_MESSAGE_LIMIT, maxFrame = MAX_MAX_FRAME) {
    if (!Number.isInteger(limitBytes) || limitBytes < 1) throw new RangeError('limitBytes must be a positive integer');
    if (!Number.isInteger(maxFrame) || maxFrame < 2) throw new RangeError('maxFrame must be an integer of at least 2');
    this.limitBytes = limitBytes;
    this.maxFrame = maxFrame;
  }

  /** Adds the next frame; never throws for bad bytes, it reports them as `malformed`. */
  push(frame: Uint8Array): FramePushResult {
    if (!(frame instanceof Uint8Array)) throw new TypeError('frame must be a Uint8Array');
    const header = frame[0];
    if (header === undefined) return this.discard('empty_frame');
    if (frame.length === 1) return this.discard('empty_chunk');
    if (frame.length > this.maxFrame) return this.discard('frame_too_long');
    const seq = header & SEQ_MASK;
    if (seq !== this.chunks.length) return this.discard('sequence');
    const final = (header & FRAME_FINAL) !== 0;
    // Sequence 127 is the last one there is: a message still open after it cannot end well.
    if (!final && seq === MAX_FRAMES - 1) return this.discard('too_many_frames');
    if (this.length + frame.length - 1 > this.limitBytes) return this.discard('over_limit');
    // Copy: the caller may reuse its buffer (Web Bluetooth DataViews often share one).
    this.chunks.push(frame.slice(1));
    this.length += frame.length - 1;
    if (!final) return { kind: 'partial' };
    const message = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      message.set(chunk, offset);
      offset += chunk.length;
    }
    this.reset();
    return { kind: 'message', message };
  }

  private discard(reason: MalformedReason): FramePushResult {
    this.reset();
    return { kind: 'malformed', reason };
  }

  private reset(): void {
    this.chunks = [];
    this.length = 0;
  }
}
