/** Framing: any message the spec allows survives a round trip; any broken sequence is refused. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FRAME_FINAL, FrameAssembler, MAX_FRAMES, splitFrames } from '../../src/protocol/framing.ts';
import { seeded } from './support/property.ts';

const LARGEST_MESSAGE = MAX_FRAMES * 511;

/** Bytes of `length` from a cheap generator: arbitrary content without generating 65 kB per case. */
function patterned(length: number, seed: number): Uint8Array {
  let x = seed | 1;
  return Uint8Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

/** A maxFrame and a message length that fits in 128 frames, biased towards both ends. */
const framedMessage = fc
  .integer({ min: 20, max: 512 })
  .chain((maxFrame) => {
    const most = MAX_FRAMES * (maxFrame - 1);
    return fc.record({
      maxFrame: fc.constant(maxFrame),
      length: fc.oneof(
        fc.integer({ min: 1, max: 3 * maxFrame }),
        fc.integer({ min: 1, max: most }),
        fc.integer({ min: most - maxFrame, max: most }),
      ),
      seed: fc.integer(),
    });
  })
  .map(({ maxFrame, length, seed }) => ({ maxFrame, message: patterned(length, seed) }));

describe('splitFrames and FrameAssembler', () => {
  test('round-trip any message of up to 128 frames at any max_frame from 20 to 512', () => {
    fc.assert(
      fc.property(framedMessage, ({ maxFrame, message }) => {
        const frames = splitFrames(message, maxFrame);
        assert.equal(frames.length, Math.ceil(message.length / (maxFrame - 1)));
        frames.forEach((frame, seq) => {
          assert.ok(frame.length >= 2 && frame.length <= maxFrame);
          assert.equal(frame[0]! & 0x7f, seq);
          assert.equal((frame[0]! & FRAME_FINAL) !== 0, seq === frames.length - 1);
        });
        const assembler = new FrameAssembler(LARGEST_MESSAGE, maxFrame);
        const pushed = frames.map((frame) => assembler.push(frame));
        assert.ok(pushed.slice(0, -1).every((p) => p.kind === 'partial'));
        assert.deepEqual(pushed.at(-1), { kind: 'message', message });
      }),
      seeded(0x1f1a, 300),
    );
  });

  test('refuse a message that would need 129 frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 512 }), (maxFrame) => {
        assert.throws(() => splitFrames(new Uint8Array(MAX_FRAMES * (maxFrame - 1) + 1), maxFrame), RangeError);
      }),
      seeded(0x1f1b, 200),
    );
  });

  test('refuse a max_frame outside 20..512, and an empty message', () => {
    for (const maxFrame of [19, 513, 20.5, Number.NaN, 0, -20]) {
      assert.throws(() => splitFrames(new Uint8Array(10), maxFrame), RangeError, String(maxFrame));
    }
    assert.throws(() => splitFrames(new Uint8Array(0), 20), RangeError);
    assert.throws(() => splitFrames([1, 2, 3] as unknown as Uint8Array, 20), TypeError);
  });

  test('accept a message exactly at the limit and refuse one a byte over', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 20, max: 512 }), (limit, maxFrame) => {
        // 2049 bytes fit in 128 frames even at max_frame 20, so both messages can be framed.
        const assembler = new FrameAssembler(limit, maxFrame);
        const fits = splitFrames(new Uint8Array(limit), maxFrame).map((f) => assembler.push(f));
        assert.equal(fits.at(-1)?.kind, 'message');
        const over = splitFrames(new Uint8Array(limit + 1), maxFrame).map((f) => assembler.push(f));
        assert.deepEqual(over.at(-1), { kind: 'malformed', reason: 'over_limit' });
        assert.ok(over.slice(0, -1).every((r) => r.kind === 'partial'));
      }),
      seeded(0x1f1c, 300),
    );
  });

  test('refuse a sequence with a frame dropped, repeated or moved, and start afresh after the refusal', () => {
    const damaged = fc
      .record({ maxFrame: fc.integer({ min: 20, max: 64 }), length: fc.integer({ min: 40, max: 2000 }), seed: fc.integer() })
      .filter(({ maxFrame, length }) => length > maxFrame - 1)
      .chain(({ maxFrame, length, seed }) => {
        const frames = splitFrames(patterned(length, seed), maxFrame);
        const n = frames.length;
        return fc.record({
          frames: fc.constant(frames),
          edit: fc.oneof(
            // Drop any frame but the last: the next one arrives with the wrong number.
            fc.integer({ min: 0, max: n - 2 }).map((i) => frames.filter((_, j) => j !== i)),
            fc.integer({ min: 0, max: n - 2 }).map((i) => [...frames.slice(0, i + 1), frames[i]!, ...frames.slice(i + 1)]),
            fc.integer({ min: 0, max: n - 2 }).map((i) => [...frames.slice(0, i), frames[i + 1]!, frames[i]!, ...frames.slice(i + 2)]),
          ),
        });
      });
    fc.assert(
      fc.property(damaged, ({ frames, edit }) => {
        const whole = new FrameAssembler(4096);
        const kinds = edit.map((f) => whole.push(f).kind);
        assert.ok(kinds.includes('malformed'), kinds.join());
        assert.ok(!kinds.includes('message'), kinds.join());
        // Right after the refusal the assembler is clean: the intact message goes through.
        const assembler = new FrameAssembler(4096);
        for (const f of edit) if (assembler.push(f).kind === 'malformed') break;
        assert.equal(frames.map((f) => assembler.push(f)).at(-1)?.kind, 'message');
      }),
      seeded(0x1f1d, 300),
    );
  });

  test('name the reason for each kind of malformed frame', () => {
    const reasonOf = (frames: number[][], limit = 1024, maxFrame = 512) => {
      const assembler = new FrameAssembler(limit, maxFrame);
      return frames.map((f) => assembler.push(Uint8Array.from(f))).at(-1);
    };
    assert.deepEqual(reasonOf([[]]), { kind: 'malformed', reason: 'empty_frame' });
    assert.deepEqual(reasonOf([[0x80]]), { kind: 'malformed', reason: 'empty_chunk' });
    assert.deepEqual(reasonOf([[0x81, 1]]), { kind: 'malformed', reason: 'sequence' });
    assert.deepEqual(reasonOf([[0x80, 1], [0x01, 2]]), { kind: 'malformed', reason: 'sequence' });
    assert.deepEqual(reasonOf([[0x80, ...new Uint8Array(20)]], 1024, 20), { kind: 'malformed', reason: 'frame_too_long' });
    const many = Array.from({ length: MAX_FRAMES }, (_, seq) => [seq, 0]);
    assert.deepEqual(reasonOf(many), { kind: 'malformed', reason: 'too_many_frames' });
    assert.deepEqual(reasonOf([[0x00, 1, 2], [0x81, 3]], 2), { kind: 'malformed', reason: 'over_limit' });
  });
});
