/// <reference types="mocha" />
// Every protocol status, end to end in real Chromium: the Web Bluetooth transport and the client
// session against virtual locks emulated over CDP by the QA kit.
import { expect } from '@esm-bundle/chai';
import { addLock, startBluetooth, stopBluetooth } from '../../src/testing/browser.ts';
import { attemptUnlock, chooseLock, mintDoor } from './support/protocol-rig.ts';

describe('the unlock session over emulated Bluetooth, for each status a lock can send', () => {
  beforeEach(() => startBluetooth());
  afterEach(() => stopBluetooth());

  for (const [maxFrame, gatt] of [
    [512, { connections: 1, infoReads: 1, controlWrites: 2, controlReads: 2 }],
    [20, { connections: 1, infoReads: 1, controlWrites: 10, controlReads: 4 }],
  ] as const) {
    it(`OK: opens a lock of max_frame ${maxFrame} in the spec's minimum of GATT operations`, async () => {
      const door = mintDoor({ maxFrame });
      const lock = await addLock(door.spec);

      const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);

      expect(outcome).to.deep.equal({ ok: true, credentialId: door.credential.credentialId, lockId: door.credential.lockId });
      const report = await lock.report();
      expect(report.unlockCount).to.equal(1);
      expect(report.gatt).to.deep.equal(gatt);
    });
  }

  it('BAD_TICKET for a ticket sealed under another key', async () => {
    const door = mintDoor({ ticketKey: new Uint8Array(32).fill(7) });
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ ok: false, code: 'lock_bad_ticket', status: 'BAD_TICKET' });
  });

  it('WRONG_LOCK, authenticated, from a lock that shares the key of the ticket’s lock', async () => {
    const lift = mintDoor();
    const other = mintDoor({ lockKey: lift.lockKey });
    const lock = await addLock(other.spec);
    // The credential list (wrongly) names the other lift for this ticket.
    const mislabelled = { ...lift.credential, lockId: other.spec.lockId };

    const outcome = await attemptUnlock(await chooseLock(lock.name), [mislabelled]);

    expect(outcome).to.include({ ok: false, code: 'lock_wrong_lock', status: 'WRONG_LOCK' });
    expect((await lock.report()).log.at(-1)).to.include({ message: 'HELLO', status: 'WRONG_LOCK' });
  });

  it('WRONG_LOCK without a word to the lock when the guest has no credential for it', async () => {
    const mine = mintDoor();
    const theirs = mintDoor();
    const lock = await addLock(theirs.spec);

    const outcome = await attemptUnlock(await chooseLock(lock.name), [mine.credential]);

    expect(outcome).to.deep.equal({ ok: false, code: 'lock_wrong_lock', lockId: theirs.spec.lockId });
    const report = await lock.report();
    expect(report.gatt.controlWrites).to.equal(0);
    expect(report.log).to.deep.equal([]);
  });

  it('NOT_YET_VALID before the ticket’s window opens', async () => {
    const door = mintDoor({ window: { fromS: 3600, toS: 7200 } });
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'lock_not_yet_valid', status: 'NOT_YET_VALID' });
  });

  it('EXPIRED after the ticket’s window closed', async () => {
    const door = mintDoor({ window: { fromS: -7200, toS: -3600 } });
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'lock_expired', status: 'EXPIRED' });
  });

  it('BAD_PROOF, authenticated, when the UNLOCK is damaged on the way', async () => {
    const door = mintDoor();
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], {
      tamper: (frame, step) => {
        if (step === 'unlock') frame[frame.length - 1]! ^= 0x01;
        return frame;
      },
    });
    expect(outcome).to.include({ code: 'lock_bad_proof', status: 'BAD_PROOF' });
    expect((await lock.report()).unlockCount).to.equal(0);
  });

  it('REVOKED for a credential on the lock’s revocation list', async () => {
    const door = mintDoor();
    const lock = await addLock(door.spec);
    await lock.revoke(door.credential.credentialId);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'lock_revoked', status: 'REVOKED' });
  });

  it('FORBIDDEN for a ticket without the unlock permission', async () => {
    const door = mintDoor({ permissions: 0 });
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'lock_forbidden', status: 'FORBIDDEN' });
  });

  it('OUT_OF_ORDER when the second message is not an UNLOCK', async () => {
    const door = mintDoor();
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], {
      tamper: (frame, step) => {
        if (step === 'unlock') frame[1] = 0x07; // the message type: no message of the protocol
        return frame;
      },
    });
    expect(outcome).to.include({ code: 'lock_out_of_order', status: 'OUT_OF_ORDER' });
  });

  it('BUSY while the lock is taken', async () => {
    const door = mintDoor();
    const lock = await addLock({ ...door.spec, faults: { busy: true } });
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'lock_busy', status: 'BUSY' });
  });

  it('UNSUPPORTED_VERSION for a ticket whose version byte became 1 on the air', async () => {
    const door = mintDoor();
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], {
      tamper: (frame, step) => {
        if (step === 'hello' && (frame[0]! & 0x7f) === 0) frame[18] = 0x01; // HELLO byte 17: the ticket's version
        return frame;
      },
    });
    expect(outcome).to.include({ code: 'lock_unsupported_version', status: 'UNSUPPORTED_VERSION' });
  });

  it('a version-1 ticket in the credential is never sent: credential_invalid', async () => {
    const door = mintDoor();
    door.credential.ticket[0] = 0x01;
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'credential_invalid' });
  });

  it('MALFORMED when a frame’s sequence number is damaged on the way', async () => {
    const door = mintDoor();
    const lock = await addLock(door.spec);
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential], {
      tamper: (frame, step) => {
        if (step === 'hello') frame[0] = frame[0]! | 0x01;
        return frame;
      },
    });
    expect(outcome).to.include({ code: 'lock_malformed', status: 'MALFORMED' });
  });

  it('JAMMED, authenticated, when the motor fails', async () => {
    const door = mintDoor();
    const lock = await addLock({ ...door.spec, faults: { jammed: true } });
    const outcome = await attemptUnlock(await chooseLock(lock.name), [door.credential]);
    expect(outcome).to.include({ code: 'lock_jammed', status: 'JAMMED' });
    expect((await lock.report()).unlockCount).to.equal(0);
  });
});
