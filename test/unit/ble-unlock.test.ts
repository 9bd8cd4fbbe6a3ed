import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lockRequestOptions } from '../../src/ble/connect.ts';
import { LinkFrameTransport } from '../../src/ble/frame-link.ts';
import { gattLockLink } from '../../src/ble/gatt-link.ts';
import { unlockOverTransport } from '../../src/ble/unlock.ts';
import { webBluetoothTransport } from '../../src/ble/web-bluetooth.ts';
import { IK1_SERVICE_UUID } from '../../src/protocol/constants.ts';
import { TransportError } from '../../src/protocol/transport.ts';
import { VirtualLock } from '../../src/testing/virtual-lock.ts';
import { FakeBluetooth, FakeDevice } from './support/fake-web-bluetooth.ts';
import { credential, INSIDE_WINDOW_MS, LOCK_ID, lockKey } from './support/fixtures.ts';

const OTHER_LOCK_ID = '11111111-2222-4333-8444-555555555555';

function setup(lockId = LOCK_ID, maxFrame = 512) {
  const lock = new VirtualLock({ lockId, lockKey: lockKey(), now: () => INSIDE_WINDOW_MS, maxFrame });
  const device = new FakeDevice(lock);
  const bluetooth = new FakeBluetooth();
  bluetooth.chooser = device;
  return { lock, device, bluetooth };
}

function unlock(bluetooth: FakeBluetooth, options: { signal?: AbortSignal; stepTimeoutMs?: number } = {}) {
  const transport = webBluetoothTransport(() => bluetooth);
  const chosen = transport.chooseLock({ names: ['IK-TEST'], service: IK1_SERVICE_UUID });
  return unlockOverTransport(transport, chosen, [credential()], {
    signal: options.signal ?? new AbortController().signal,
    stepTimeoutMs: options.stepTimeoutMs ?? 2000,
  });
}

describe('lockRequestOptions', () => {
  test('lists one filter per lock, each requiring the IK1 service', () => {
    assert.deepEqual(lockRequestOptions(['IK-3FA2C1', 'IK-000001', 'IK-3FA2C1']), {
      filters: [
        { services: [IK1_SERVICE_UUID], name: 'IK-3FA2C1' },
        { services: [IK1_SERVICE_UUID], name: 'IK-000001' },
      ],
      optionalServices: [IK1_SERVICE_UUID],
    });
  });

  test('refuses to open an unfiltered chooser', () => {
    assert.throws(() => lockRequestOptions([]), RangeError);
  });
});

describe('unlockOverTransport over Web Bluetooth', () => {
  test('unlocks a lock over Web Bluetooth and disconnects', async () => {
    const { lock, device, bluetooth } = setup();
    const result = await unlock(bluetooth);
    assert.deepEqual(result, { ok: true, credentialId: credential().credentialId, lockId: LOCK_ID });
    assert.equal(lock.unlockCount, 1);
    assert.equal(device.gatt.connected, false, 'disconnected after success');
    assert.equal(device.maxInFlight, 1, 'never two GATT operations at once');
  });

  test('unlocks at the smallest frame size', async () => {
    const { lock, bluetooth } = setup(LOCK_ID, 20);
    assert.equal((await unlock(bluetooth)).ok, true);
    assert.equal(lock.unlockCount, 1);
  });

  test('reports a closed chooser as ble_cancelled', async () => {
    const { bluetooth } = setup();
    bluetooth.chooser = { reject: 'NotFoundError' };
    const result = await unlock(bluetooth);
    assert.equal(!result.ok && result.code, 'ble_cancelled');
  });

  test('reports a NotFoundError without an adapter as ble_unavailable', async () => {
    const { bluetooth } = setup();
    bluetooth.chooser = { reject: 'NotFoundError' };
    bluetooth.available = false;
    const result = await unlock(bluetooth);
    assert.equal(!result.ok && result.code, 'ble_unavailable');
  });

  test('reports a chooser refused for lack of user activation as ble_unavailable', async () => {
    const { bluetooth } = setup();
    bluetooth.chooser = { reject: 'SecurityError' };
    const result = await unlock(bluetooth);
    assert.equal(!result.ok && result.code, 'ble_unavailable');
  });

  test('reports a failed connection as ble_connect_failed, without talking IK1', async () => {
    const { lock, device, bluetooth } = setup();
    device.knobs.fail.set('connect', 'NetworkError');
    const result = await unlock(bluetooth);
    assert.equal(!result.ok && result.code, 'ble_connect_failed');
    assert.equal(lock.log.length, 0);
  });

  test('reports a lock that never answers the connection as ble_timeout', async () => {
    const { device, bluetooth } = setup();
    device.knobs.hang.add('connect');
    const result = await unlock(bluetooth, { stepTimeoutMs: 30 });
    assert.equal(!result.ok && result.code, 'ble_timeout');
  });

  test('reports a lock that stops answering mid-exchange as ble_timeout and disconnects', async () => {
    const { device, bluetooth } = setup();
    device.knobs.hang.add('read');
    const result = await unlock(bluetooth, { stepTimeoutMs: 30 });
    assert.equal(!result.ok && result.code, 'ble_timeout');
    assert.equal(device.gatt.connected, false);
  });

  test('reports a link dropped mid-exchange as ble_disconnected', async () => {
    const { lock, device, bluetooth } = setup();
    device.knobs.dropAtControlOp = 2; // the read of CHALLENGE
    const result = await unlock(bluetooth);
    assert.equal(!result.ok && result.code, 'ble_disconnected');
    assert.equal(lock.unlockCount, 0);
  });

  test('reports another lock as lock_wrong_lock without sending HELLO', async () => {
    const { lock, device, bluetooth } = setup(OTHER_LOCK_ID);
    const result = await unlock(bluetooth);
    assert.equal(!result.ok && result.code, 'lock_wrong_lock');
    assert.equal(lock.log.length, 0);
    assert.equal(device.gatt.connected, false);
  });

  test('reports an abort as aborted and disconnects', async () => {
    const { device, bluetooth } = setup();
    device.knobs.hang.add('read');
    const controller = new AbortController();
    const pending = unlock(bluetooth, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const result = await pending;
    assert.equal(!result.ok && result.code, 'aborted');
    assert.equal(device.gatt.connected, false);
  });
});

describe('LinkFrameTransport over a GATT link', () => {
  async function connected() {
    const { device, lock } = setup();
    await device.gatt.connect();
    const service = await device.gatt.getPrimaryService(IK1_SERVICE_UUID);
    const { IK1_INFO_UUID, IK1_CONTROL_UUID } = await import('../../src/protocol/constants.ts');
    const info = await service.getCharacteristic(IK1_INFO_UUID);
    const control = await service.getCharacteristic(IK1_CONTROL_UUID);
    return { device, lock, transport: new LinkFrameTransport(gattLockLink({ device, info, control })) };
  }

  test('reads info as a copy of exactly the value bytes', async () => {
    const { transport, lock } = await connected();
    assert.deepEqual(await transport.readInfo(new AbortController().signal), lock.info());
  });

  test('does not start an operation whose caller gave up while it was queued', async () => {
    const { device, transport } = await connected();
    const controller = new AbortController();
    const pending = transport.readFrame(controller.signal);
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal(device.controlOps, 0);
  });

  test('queues an operation behind one its caller gave up on', async () => {
    const { device, transport } = await connected();
    device.knobs.hang.add('read');
    const controller = new AbortController();
    const first = transport.readFrame(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the GATT read is now under way
    controller.abort(new DOMException('step timed out', 'TimeoutError'));
    await assert.rejects(first, { name: 'TimeoutError' });
    device.knobs.hang.delete('read');
    // Not AbortSignal.timeout: Node does not keep the process alive for its timer.
    const giveUp = new AbortController();
    setTimeout(() => giveUp.abort(new DOMException('step timed out', 'TimeoutError')), 50);
    const second = transport.readInfo(giveUp.signal);
    await assert.rejects(second, { name: 'TimeoutError' }, 'the info read waits for the hung read');
    assert.equal(device.maxInFlight, 1);
  });

  test('turns gattserverdisconnected into TransportError(disconnected) for a pending operation', async () => {
    const { device, transport } = await connected();
    device.knobs.hang.add('read');
    const pending = transport.readFrame(new AbortController().signal);
    device.gatt.drop();
    await assert.rejects(pending, (e: unknown) => e instanceof TransportError && e.kind === 'disconnected');
  });

  test('maps NetworkError to disconnected and other DOMExceptions to failed', async () => {
    const { device, transport } = await connected();
    device.knobs.fail.set('write', 'NotSupportedError');
    await assert.rejects(
      transport.writeFrame(Uint8Array.of(0x80, 1), new AbortController().signal),
      (e: unknown) => e instanceof TransportError && e.kind === 'failed',
    );
    device.knobs.fail.set('write', 'NetworkError');
    await assert.rejects(
      transport.writeFrame(Uint8Array.of(0x80, 1), new AbortController().signal),
      (e: unknown) => e instanceof TransportError && e.kind === 'disconnected',
    );
  });
});
