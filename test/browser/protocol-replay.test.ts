/// <reference types="mocha" />
/**
 * Replays, in real Chromium over emulated Bluetooth: a whole session is recorded as it went
 * over the air (every `control` write and every non-empty `control` read the page made), then
 * - the same page, holding the same ticket, is answered with the recorded lock frames by an
 *   impostor at the lock's address: it never shows `unlocked` and never fires `ik-unlock`;
 * - the phone's recorded frames are played to a fresh session of the real lock: it never opens;
 * - recorded refusals (authenticated REVOKED and JAMMED) are never taken as authenticated.
 */
import { expect } from '@esm-bundle/chai';
import { connectLock, disconnectLock } from '../../src/ble/connect.ts';
import { LinkFrameTransport } from '../../src/ble/frame-link.ts';
import { gattLockLink } from '../../src/ble/gatt-link.ts';
import { IK1_CONTROL_UUID } from '../../src/protocol/constants.ts';
import { FrameAssembler } from '../../src/protocol/framing.ts';
import { addLock, startBluetooth, stopBluetooth, type AttachedLock } from '../../src/testing/browser.ts';
import { button, mountKey, recordEvents, stateBecomes, tap, type InstantKeyElement } from './support/element.ts';
import { mintKey, type KeyFixture } from './support/key-fixture.ts';
import { chooseLock } from './support/protocol-rig.ts';

type Characteristic = { uuid: string; readValue(): Promise<DataView>; writeValueWithResponse(v: BufferSource): Promise<void> };

/** What went over `control` while recording: frames in order, each with its direction. */
interface Recording {
  frames: Array<{ dir: 'write' | 'read'; bytes: Uint8Array }>;
}

const proto = (globalThis as unknown as { BluetoothRemoteGATTCharacteristic: { prototype: Characteristic } })
  .BluetoothRemoteGATTCharacteristic.prototype;
const realRead = proto.readValue;
const realWrite = proto.writeValueWithResponse;

/** Records every `control` frame the page writes or reads (empty "not ready" reads aside). */
function recordAir(): Recording {
  const recording: Recording = { frames: [] };
  proto.readValue = async function (this: Characteristic) {
    const value = await realRead.call(this);
    if (this.uuid === IK1_CONTROL_UUID && value.byteLength > 0) {
      recording.frames.push({ dir: 'read', bytes: new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength)) });
    }
    return value;
  };
  proto.writeValueWithResponse = async function (this: Characteristic, value: BufferSource) {
    if (this.uuid === IK1_CONTROL_UUID) {
      const view = ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value);
      recording.frames.push({ dir: 'write', bytes: view.slice() });
    }
    return realWrite.call(this, value);
  };
  return recording;
}

function stopRecording(): void {
  proto.readValue = realRead;
  proto.writeValueWithResponse = realWrite;
}

/** The whole messages one direction of a recording carried, as hex. */
function messages(recording: Recording, dir: 'write' | 'read'): string[] {
  const assembler = new FrameAssembler();
  const out: string[] = [];
  for (const frame of recording.frames.filter((f) => f.dir === dir)) {
    const pushed = assembler.push(frame.bytes);
    if (pushed.kind === 'malformed') throw new Error('the recording is not well framed');
    if (pushed.kind === 'message') out.push(Array.from(pushed.message, (b) => b.toString(16).padStart(2, '0')).join(''));
  }
  return out;
}

describe('replayed sessions over emulated Bluetooth', () => {
  let el: InstantKeyElement | undefined;

  beforeEach(async () => {
    await startBluetooth();
  });

  afterEach(async () => {
    stopRecording();
    el?.remove();
    el = undefined;
    await stopBluetooth();
  });

  /** Mounts the key, taps Unlock and waits for `state`; returns the element's events. */
  async function tapUnlock(key: KeyFixture, state: string) {
    el?.remove();
    el = mountKey(async () => key.response);
    await stateBecomes(el, 'ready');
    const events = recordEvents(el);
    await tap(button(el, /Unlock Room 412/));
    await stateBecomes(el, state);
    return events;
  }

  /** A recorded successful session: the door, the key and what went over the air. */
  async function recordedUnlock(maxFrame: number): Promise<{ key: KeyFixture; door: AttachedLock; recording: Recording }> {
    const key = mintKey([{ name: 'Room 412', maxFrame }]);
    const door = await addLock(key.locks[0]!);
    const recording = recordAir();
    const events = await tapUnlock(key, 'unlocked');
    stopRecording();
    expect(events.map((e) => e.type)).to.include('ik-unlock');
    expect((await door.report()).unlockCount).to.equal(1);
    expect(messages(recording, 'read').map((m) => m.slice(0, 2))).to.deep.equal(['02', '04']);
    return { key, door, recording };
  }

  for (const maxFrame of [512, 20]) {
    it(`at max_frame ${maxFrame}, the same page answered with the recorded lock frames never shows unlocked`, async () => {
      const { key, door, recording } = await recordedUnlock(maxFrame);
      await door.setFaults({ lock: { impostorReplies: messages(recording, 'read') } });

      const events = await tapUnlock(key, 'error');
      const error = events.find((e) => e.type === 'ik-error');
      expect(error?.detail.code).to.equal('lock_unauthenticated');
      expect(events.map((e) => e.type)).not.to.include('ik-unlock');
      expect((await door.report()).unlockCount).to.equal(1, 'the impostor drove nothing');
    });

    it(`at max_frame ${maxFrame}, the phone's recorded frames played to a fresh lock session never open it`, async () => {
      const { door, recording } = await recordedUnlock(maxFrame);
      el?.remove();
      el = undefined;
      const device = await chooseLock(door.name);
      const transport = new LinkFrameTransport(gattLockLink(await connectLock(device, { signal: new AbortController().signal, stepTimeoutMs: 5_000 })));
      const signal = new AbortController().signal;
      try {
        // The same writes in the same order, reading the lock's answer after each message.
        for (const frame of recording.frames.filter((f) => f.dir === 'write')) {
          await transport.writeFrame(new Uint8Array(frame.bytes), signal);
          if (frame.bytes[0]! & 0x80) {
            for (let reply: Uint8Array = new Uint8Array(0); !(reply.length > 0 && reply[0]! & 0x80); ) reply = await transport.readFrame(signal);
          }
        }
      } finally {
        transport.dispose();
        disconnectLock(device);
      }
      const report = await door.report();
      expect(report.unlockCount).to.equal(1, 'only the recorded session opened the door');
      expect(report.log.slice(-2).map((e) => [e.message, e.status])).to.deep.equal([
        ['HELLO', 'OK'],
        ['UNLOCK', 'BAD_PROOF'],
      ]);
    });
  }

  for (const [what, setUp, code] of [
    ['REVOKED', (door: AttachedLock, key: KeyFixture) => door.revoke(key.response.credentials[0]!.credential_id), 'lock_revoked'],
    ['JAMMED', (door: AttachedLock) => door.setFaults({ lock: { jammed: true } }), 'lock_jammed'],
  ] as const) {
    it(`a recorded authenticated ${what} is believed in its own session only, never when replayed`, async () => {
      const key = mintKey([{ name: 'Room 412' }]);
      const door = await addLock(key.locks[0]!);
      await setUp(door, key);
      const recording = recordAir();
      const genuine = await tapUnlock(key, 'error');
      stopRecording();
      expect(genuine.find((e) => e.type === 'ik-error')?.detail.code).to.equal(code);

      await door.setFaults({ lock: { impostorReplies: messages(recording, 'read'), jammed: false } });
      const replayed = await tapUnlock(key, 'error');
      expect(replayed.find((e) => e.type === 'ik-error')?.detail.code).to.equal('lock_unauthenticated');
      expect((await door.report()).unlockCount).to.equal(0);
    });
  }
});
