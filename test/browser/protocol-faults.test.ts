/// <reference types="mocha" />
// Every fault the QA kit can inject, end to end in real Chromium: each ends in a clear outcome
// from the real Web Bluetooth transport and the client session, never a hang or a throw.
import { expect } from '@esm-bundle/chai';
import { addLock, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { attemptUnlock, chooseLock, mintDoor, stepReached } from './support/protocol-rig.ts';

/** Short enough to keep the file quick, long enough for Chromium's emulated round trips. */
const SHORT_STEP_MS = 500;

describe('the unlock session over emulated Bluetooth, for each fault a lock can show', () => {
  beforeEach(() => startBluetooth());
  afterEach(() => stopBluetooth());

  describe('faults of the lock', () => {
    it('a lock clock off by less than the 60 s tolerance still opens', async () => {
      const door = mintDoor({ window: { fromS: 30, toS: 3600 } });
      const lock = await addLock({ ...door.spec, faults: { clockOffsetS: 45 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome.ok).to.equal(true);
    });

    it('a lock clock far behind the ticket: NOT_YET_VALID', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { clockOffsetS: -600 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'lock_not_yet_valid', status: 'NOT_YET_VALID' });
    });

    it('a lock clock far ahead of the ticket: EXPIRED', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { clockOffsetS: 7200 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'lock_expired', status: 'EXPIRED' });
    });

    it('a slow lock within the step timeout opens, after empty reads', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { replyLatencyMs: 150 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], { stepTimeoutMs: 3_000 });
      expect(outcome.ok).to.equal(true);
      // Each of the two replies needed polling: more reads than the two frames.
      expect((await lock.report()).gatt.controlReads).to.be.greaterThan(2);
    });

    it('a lock slower than the step timeout: ble_timeout waiting for the CHALLENGE', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { replyLatencyMs: 60_000 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], { stepTimeoutMs: SHORT_STEP_MS });
      expect(outcome).to.include({ code: 'ble_timeout' });
      expect((await lock.report()).unlockCount).to.equal(0);
    });

    for (const step of ['hello', 'unlock'] as const) {
      it(`a lock that hangs at ${step.toUpperCase()}: ble_timeout, door shut`, async () => {
        const door = mintDoor();
        const lock = await addLock({ ...door.spec, faults: { hangAt: step } });
        const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], { stepTimeoutMs: SHORT_STEP_MS });
        expect(outcome).to.include({ code: 'ble_timeout' });
        const report = await lock.report();
        expect(report.unlockCount).to.equal(0);
        expect(report.log.map((e) => e.message)).to.deep.equal(step === 'hello' ? [] : ['HELLO']);
      });
    }

    it('after a lock hung at UNLOCK, a retry on the same device starts a fresh session and opens', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { hangAt: 'unlock' } });
      const device = await chooseLock(lock.name);
      expect(await attemptUnlock(device, [door.credential], { stepTimeoutMs: SHORT_STEP_MS })).to.include({ code: 'ble_timeout' });

      await lock.setFaults({ lock: { hangAt: null } });
      const retry = await attemptUnlock(device, [door.credential]);

      expect(retry.ok).to.equal(true);
      const report = await lock.report();
      expect(report.unlockCount).to.equal(1);
      expect(report.gatt.connections).to.equal(2);
    });

    it('a lock that drops the link on the first frame: ble_disconnected', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { disconnectAfterFrames: 0 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'ble_disconnected' });
    });

    it('a lock that drops the link after the CHALLENGE: ble_disconnected sending UNLOCK', async () => {
      const door = mintDoor();
      // HELLO (one write) and CHALLENGE (one read) at max_frame 512.
      const lock = await addLock({ ...door.spec, faults: { disconnectAfterFrames: 2 } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'ble_disconnected' });
      expect((await lock.report()).unlockCount).to.equal(0);
    });

    it('garbage replies: lock_protocol_error', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { garbageReply: true } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'lock_protocol_error' });
    });

    it('truncated replies: lock_protocol_error', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { truncatedReply: true } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'lock_protocol_error' });
    });

    it('an unauthenticated OK: lock_unauthenticated, never success, even though the bolt moved', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { spoofUnauthenticatedOk: true } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ ok: false, code: 'lock_unauthenticated' });
      expect((await lock.report()).unlockCount).to.equal(1);
    });
  });

  describe('faults of the Bluetooth link', () => {
    it('a connection that fails: ble_connect_failed', async () => {
      const door = mintDoor();
      const lock = await addLock(door.spec);
      await lock.setFaults({ gatt: { failConnect: true } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.deep.equal({ ok: false, code: 'ble_connect_failed' });
    });

    it('a service discovery that fails: ble_timeout at the discovery step', async () => {
      const door = mintDoor();
      const lock = await addLock(door.spec);
      await lock.setFaults({ gatt: { failDiscovery: true } });
      // Chromium's emulation never settles a failed discovery (see GattFaults.failDiscovery).
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], { stepTimeoutMs: SHORT_STEP_MS });
      expect(outcome).to.deep.equal({ ok: false, code: 'ble_timeout' });
      expect((await lock.report()).gatt.infoReads).to.equal(0);
    });

    it('a connection that never answers: ble_timeout at the connect step', async () => {
      const door = mintDoor();
      const lock = await addLock(door.spec);
      await lock.setFaults({ gatt: { hangConnect: true } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], { stepTimeoutMs: SHORT_STEP_MS });
      expect(outcome).to.deep.equal({ ok: false, code: 'ble_timeout' });
    });

    it('reads and writes on control that fail: ble_gatt_failed', async () => {
      const door = mintDoor();
      const lock = await addLock(door.spec);
      await lock.setFaults({ gatt: { failControl: true } });
      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
      expect(outcome).to.include({ code: 'ble_gatt_failed' });
      expect((await lock.report()).log).to.deep.equal([]);
    });

    it('a lock that walks out of range mid-exchange: ble_disconnected', async () => {
      const door = mintDoor();
      const lock = await addLock({ ...door.spec, faults: { hangAt: 'unlock' } });
      const steps = stepReached();
      const attempt = attemptUnlock(await chooseLock(lock.name), [door.credential], { onStep: steps.onStep });
      await steps.reached('result');
      await lock.disconnect();
      expect(await attempt).to.include({ code: 'ble_disconnected' });
      expect((await lock.report()).unlockCount).to.equal(0);
    });
  });
});
