import type { TestRunnerPlugin } from '@web/test-runner';
import type { Browser, Page } from 'playwright-core';
import { BluetoothEmulator, type AdapterState, type ChooserPolicy, type GattFaults } from './bluetooth-emulator.ts';
import { lockFromSpec, type LockSpec } from './lock-spec.ts';
import type { LockFaults, VirtualLock } from './virtual-lock.ts';
import { LOCK_COMMANDS } from './wtr-commands.ts';

interface SessionLocks {
  emulator: BluetoothEmulator;
  locks: Map<string, VirtualLock>;
}

interface PlaywrightSession {
  id: string;
  browser: { getPage?(id: string): Page };
}

/**
 * A Web Test Runner plugin that gives browser tests emulated IK1 locks in the real Chromium
 * running them (launched by `@web/test-runner-playwright`). Emulation is browser-wide: run
 * the tests with `concurrency: 1`.
 */
export function virtualLockPlugin(): TestRunnerPlugin {
  const sessions = new Map<string, SessionLocks>();

  function pageOf(session: PlaywrightSession): Page {
    const page = session.browser.getPage?.(session.id);
    if (!page) throw new Error('virtualLockPlugin needs the Playwright launcher');
    return page;
  }

  function locksOf(session: PlaywrightSession): SessionLocks {
    const entry = sessions.get(session.id);
    if (!entry) throw new Error(`call ${LOCK_COMMANDS.start} first`);
    return entry;
  }

  function lockAt(entry: SessionLocks, address: string): VirtualLock {
    const lock = entry.locks.get(address);
    if (!lock) throw new Error(`no lock at ${address}`);
    return lock;
  }

  async function stop(id: string): Promise<void> {
    const entry = sessions.get(id);
    sessions.delete(id);
    await entry?.emulator.stop();
  }

  return {
    name: 'instant-key-virtual-lock',
    async executeCommand({ command, payload, session }) {
      const s = session as unknown as PlaywrightSession;
      const p = (payload ?? {}) as Record<string, unknown>;
      switch (command) {
        case LOCK_COMMANDS.start: {
          // Emulation is browser-wide: a test file that ended without stopping (timed out,
          // crashed) must not leave it enabled for the next one.
          await Promise.all([...sessions.keys()].map(stop));
          const page = pageOf(s);
          // A tap only grants the user activation requestDevice needs in the active page; a
          // page just opened for the next test file may not be it yet.
          await page.bringToFront();
          const browser = page.context().browser() as Browser;
          const emulator = await BluetoothEmulator.start(browser, (p.adapter as AdapterState) ?? 'powered-on');
          if (p.chooser) emulator.chooser = p.chooser as ChooserPolicy;
          await emulator.watchChooser(page);
          sessions.set(s.id, { emulator, locks: new Map() });
          return true;
        }
        case LOCK_COMMANDS.adapter:
          await locksOf(s).emulator.setAdapter(p.state as AdapterState);
          return true;
        case LOCK_COMMANDS.addLock: {
          const entry = locksOf(s);
          const lock = lockFromSpec(p as unknown as LockSpec);
          const address = await entry.emulator.addLock(lock);
          entry.locks.set(address, lock);
          return { address, name: lock.name };
        }
        case LOCK_COMMANDS.faults: {
          const entry = locksOf(s);
          const address = p.address as string;
          Object.assign(lockAt(entry, address).faults, (p.lock as Partial<LockFaults>) ?? {});
          entry.emulator.setFaults(address, (p.gatt as Partial<GattFaults>) ?? {});
          return true;
        }
        case LOCK_COMMANDS.revoke:
          lockAt(locksOf(s), p.address as string).revoke(p.credentialId as string);
          return true;
        case LOCK_COMMANDS.disconnect:
          await locksOf(s).emulator.disconnect(p.address as string);
          return true;
        case LOCK_COMMANDS.advertise:
          await locksOf(s).emulator.advertise(p.address as string, { rssi: p.rssi as number | undefined });
          return true;
        case LOCK_COMMANDS.report: {
          const entry = locksOf(s);
          const address = p.address as string;
          const lock = lockAt(entry, address);
          return { log: lock.log, unlockCount: lock.unlockCount, gatt: entry.emulator.counts(address) };
        }
        case LOCK_COMMANDS.chooser:
          locksOf(s).emulator.chooser = p as unknown as ChooserPolicy;
          return true;
        case LOCK_COMMANDS.stop:
          await stop(s.id);
          return true;
        default:
          return undefined;
      }
    },
    async serverStop() {
      await Promise.all([...sessions.keys()].map(stop));
    },
  };
}
