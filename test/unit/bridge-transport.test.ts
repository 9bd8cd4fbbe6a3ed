// The native bridge's page side in Node: a fake host answering with a VirtualLock, so the
// element's bridge transport is tested message by message (docs/native-bridge.md), and the
// Web Bluetooth transport's guards for polyfills.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromBase64, parseMessage, toBase64, type InstantKeyBridge } from '../../src/ble/bridge/messages.ts';
import { bridgeTransport } from '../../src/ble/bridge/transport.ts';
import { transportErrorCode } from '../../src/ble/transport.ts';
import { unlockOverTransport } from '../../src/ble/unlock.ts';
import { webBluetoothTransport } from '../../src/ble/web-bluetooth.ts';
import { IK1_SERVICE_UUID } from '../../src/protocol/constants.ts';
import { VirtualLock, type LockConnection } from '../../src/testing/virtual-lock.ts';
import { credential, INSIDE_WINDOW_MS, LOCK_ID, lockKey } from './support/fixtures.ts';

type Message = Record<string, unknown>;

/** A host that answers like a well-behaved native side, unless `answer` says otherwise. */
function fakeHost(lock: VirtualLock, answer?: (m: Message) => Message | 'silent' | undefined) {
  const sent: Message[] = [];
  let connection: LockConnection | undefined;
  const bridge: InstantKeyBridge = {
    send(text) {
      const m = JSON.parse(text) as Message;
      sent.push(m);
      const custom = answer?.(m);
      if (custom === 'silent') return;
      const reply = custom ?? standard(m);
      setTimeout(() => bridge.receive?.(JSON.stringify(reply)), 0);
    },
  };
  const standard = (m: Message): Message => {
    switch (m.op) {
      case 'availability':
        return { id: m.id, ok: true, available: true };
      case 'choose':
        return (m.names as string[]).includes(lock.name) ? { id: m.id, ok: true, device: 'd1', name: lock.name } : { id: m.id, ok: false, error: 'not_found' };
      case 'connect':
        connection = lock.connect();
        return { id: m.id, ok: true };
      case 'read':
        return { id: m.id, ok: true, value: toBase64(String(m.characteristic).startsWith('5a1e0002') ? lock.info() : connection!.readFrame()) };
      case 'write':
        connection!.writeFrame(fromBase64(m.value)!);
        return { id: m.id, ok: true };
      default:
        return { id: m.id, ok: true };
    }
  };
  return { bridge, sent, ops: () => sent.map((m) => m.op) };
}

const lockFor = () => new VirtualLock({ lockId: LOCK_ID, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS, name: 'IK-TEST' });
const request = (signal?: AbortSignal) => ({ names: ['IK-TEST'], service: IK1_SERVICE_UUID, ...(signal ? { signal } : {}) });

describe('the bridge transport', () => {
  test('unlocks a lock through the bridge, one GATT operation at a time, and releases it', async () => {
    const lock = lockFor();
    const host = fakeHost(lock);
    const transport = bridgeTransport(host.bridge);
    const result = await unlockOverTransport(transport, transport.chooseLock(request()), [credential()], { signal: new AbortController().signal });
    assert.deepEqual(result, { ok: true, credentialId: credential().credentialId, lockId: LOCK_ID });
    assert.equal(lock.unlockCount, 1);
    assert.deepEqual(host.ops().slice(0, 3), ['choose', 'connect', 'read']);
    assert.equal(host.ops().at(-1), 'disconnect');
    const ids = host.sent.map((m) => m.id as number);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids only increase');
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  });

  test('maps the native codes onto the element codes', async () => {
    for (const [native, element] of [
      ['cancelled', 'ble_cancelled'],
      ['unavailable', 'ble_unavailable'],
      ['no_such_code', 'ble_connect_failed'],
    ] as const) {
      const host = fakeHost(lockFor(), (m) => (m.op === 'choose' ? { id: m.id, ok: false, error: native } : undefined));
      await assert.rejects(bridgeTransport(host.bridge).chooseLock(request()), (e: unknown) => transportErrorCode(e) === element, native);
    }
  });

  test('not_found from the picker is cancelled when Bluetooth is on and unavailable when it is off', async () => {
    for (const available of [true, false]) {
      const host = fakeHost(lockFor(), (m) =>
        m.op === 'choose' ? { id: m.id, ok: false, error: 'not_found' } : m.op === 'availability' ? { id: m.id, ok: true, available } : undefined,
      );
      await assert.rejects(bridgeTransport(host.bridge).chooseLock(request()), (e: unknown) => transportErrorCode(e) === (available ? 'ble_cancelled' : 'ble_unavailable'));
    }
  });

  test('refuses a chosen lock whose name was not asked for', async () => {
    const host = fakeHost(lockFor(), (m) => (m.op === 'choose' ? { id: m.id, ok: true, device: 'd9', name: 'IK-OTHER' } : undefined));
    await assert.rejects(bridgeTransport(host.bridge).chooseLock(request()), (e: unknown) => transportErrorCode(e) === 'ble_connect_failed');
  });

  test('an aborted choose sends cancel naming it', async () => {
    const host = fakeHost(lockFor(), (m) => (m.op === 'choose' ? 'silent' : undefined));
    const controller = new AbortController();
    const choosing = bridgeTransport(host.bridge).chooseLock(request(controller.signal));
    controller.abort();
    await assert.rejects(choosing);
    const choose = host.sent.find((m) => m.op === 'choose')!;
    assert.deepEqual(host.sent.find((m) => m.op === 'cancel'), { id: (choose.id as number) + 1, op: 'cancel', target: choose.id });
  });

  test('an aborted connect rejects with the reason and sends disconnect', async () => {
    const host = fakeHost(lockFor(), (m) => (m.op === 'connect' ? 'silent' : undefined));
    const transport = bridgeTransport(host.bridge);
    const lock = await transport.chooseLock(request());
    const controller = new AbortController();
    const connecting = transport.connect(lock, { signal: controller.signal, timeoutMs: 10_000 });
    controller.abort(new Error('gave up'));
    await assert.rejects(connecting, { message: 'gave up' });
    assert.equal(host.ops().at(-1), 'disconnect');
  });

  test('a drop event fails the pending read as disconnected', async () => {
    const lock = lockFor();
    const host = fakeHost(lock, (m) => (m.op === 'read' && String(m.characteristic).startsWith('5a1e0003') ? 'silent' : undefined));
    const transport = bridgeTransport(host.bridge);
    const link = await transport.connect(await transport.chooseLock(request()), { signal: new AbortController().signal, timeoutMs: 10_000 });
    let dropped = 0;
    link.onDisconnect(() => dropped++);
    host.bridge.receive!(JSON.stringify({ event: 'disconnected', device: 'd1' }));
    assert.equal(dropped, 1);
    await assert.rejects(link.readControl(new AbortController().signal), (e: unknown) => transportErrorCode(e) === 'ble_disconnected');
  });

  test('availability events reach the listeners; malformed ones do not', () => {
    const host = fakeHost(lockFor());
    const transport = bridgeTransport(host.bridge);
    const heard: boolean[] = [];
    const stop = transport.onAvailabilityChange!((a) => heard.push(a));
    for (const m of ['{"event":"availability","available":false}', '{"event":"availability","available":"no"}', 'garbage', '{"event":"availability","available":true}']) host.bridge.receive!(m);
    stop();
    host.bridge.receive!('{"event":"availability","available":false}');
    assert.deepEqual(heard, [false, true]);
  });
});

describe('bridge messages', () => {
  test('parses replies and events, and nothing off-contract', () => {
    assert.deepEqual(parseMessage('{"id":3,"ok":false,"error":"timeout"}'), { kind: 'reply', id: 3, ok: false, error: 'timeout' });
    assert.deepEqual(parseMessage('{"event":"disconnected","device":"x"}'), { kind: 'disconnected', device: 'x' });
    for (const bad of ['', 'null', '[]', '{"id":1.5,"ok":true}', '{"id":1}', '{"event":"disconnected"}', '{"event":"other"}', 42, `{"event":"disconnected","device":"${'x'.repeat(2000)}"}`]) {
      assert.equal(parseMessage(bad), undefined, String(bad).slice(0, 40));
    }
  });

  test('base64 round-trips every byte value and refuses what is not base64', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(fromBase64(toBase64(all)), all);
    assert.deepEqual(fromBase64(''), new Uint8Array(0));
    for (const bad of ['a', 'ab=c', '@@@@', 'YQ', 5, null]) assert.equal(fromBase64(bad), undefined, String(bad));
  });
});

describe('the Web Bluetooth transport under polyfills', () => {
  test('a plain-object navigator.bluetooth without getAvailability: availability unknown, no listener, a closed chooser is cancelled', async () => {
    const polyfill = { requestDevice: () => Promise.reject(Object.assign(new Error('User cancelled'), { name: 'NotFoundError' })) };
    const transport = webBluetoothTransport(() => polyfill as unknown as Bluetooth);
    assert.equal(await transport.availability(), undefined);
    const stop = transport.onAvailabilityChange!(() => assert.fail('never'));
    stop();
    await assert.rejects(transport.chooseLock(request()), (e: unknown) => transportErrorCode(e) === 'ble_cancelled');
  });

  test('no navigator.bluetooth at all: unavailable, and choosing fails with a code', async () => {
    const transport = webBluetoothTransport(() => undefined);
    assert.equal(await transport.availability(), false);
    await assert.rejects(transport.chooseLock(request()), (e: unknown) => transportErrorCode(e) === 'ble_unavailable');
  });

  test('a getAvailability that throws or answers a non-boolean counts as unknown', async () => {
    for (const getAvailability of [() => Promise.reject(new Error('x')), () => Promise.resolve('yes'), () => { throw new Error('sync'); }]) {
      const transport = webBluetoothTransport(() => ({ requestDevice: () => Promise.reject(new Error()), getAvailability }) as unknown as Bluetooth);
      assert.equal(await transport.availability(), undefined);
    }
  });
});
