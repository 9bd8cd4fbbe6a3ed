/**
 * Playwright half of the QA kit: put a virtual IK1 lock in range of a page, in one call.
 *
 * ```ts
 * const door = await attachVirtualLock(page, { lockId, lockKey, name: 'IK-3FA2C1' });
 * await page.getByRole('button', { name: /Unlock Room 412/ }).click();
 * expect(door.lock.unlockCount).toBe(1);
 * await door.detach();
 * ```
 */
import type { Browser, Page } from 'playwright-core';
import { BluetoothEmulator, type AdapterState, type ChooserPolicy, type GattCounts, type GattFaults } from './bluetooth-emulator.ts';
import { VirtualLock, type VirtualLockOptions } from './virtual-lock.ts';

export interface AttachOptions {
  /** Adapter state when emulation starts for this browser. */
  adapter?: AdapterState;
  /** How the page's device chooser is answered (default: select the first matching lock). */
  chooser?: ChooserPolicy;
}

export interface AttachedVirtualLock {
  /** The lock itself: its `log`, `unlockCount`, `faults` and `revoke()`. */
  readonly lock: VirtualLock;
  readonly address: string;
  /** The browser's emulator, shared by every lock attached in this browser. */
  readonly emulator: BluetoothEmulator;
  /** GATT operations the page has made on this lock. */
  gattCounts(): GattCounts;
  setGattFaults(faults: Partial<GattFaults>): void;
  /** Drops the link as if the lock went out of range. */
  disconnect(): Promise<void>;
  /** Ends Bluetooth emulation in this browser (every attached lock goes away); attach again to resume. */
  detach(): Promise<void>;
}

const emulators = new WeakMap<Browser, Promise<BluetoothEmulator>>();

async function emulatorFor(page: Page, options: AttachOptions): Promise<BluetoothEmulator> {
  const browser = page.context().browser();
  if (!browser) throw new Error('attachVirtualLock needs a page of a launched browser');
  let emulator = emulators.get(browser);
  if (!emulator) {
    emulator = BluetoothEmulator.start(browser, options.adapter);
    emulators.set(browser, emulator);
  }
  const ready = await emulator;
  if (options.chooser) ready.chooser = options.chooser;
  // The page that enabled it may have closed since, which drops the emulated adapter.
  await ready.ensureEnabled();
  await ready.watchChooser(page);
  return ready;
}

/**
 * Emulates `lock` (a `VirtualLock`, or the options to make one) in range of `page`, through
 * Chromium's Bluetooth emulation. The lock stays in range when the page navigates or reloads
 * (the emulator puts Chromium's emulated adapter back; `emulator.settled()` resolves once it
 * has), and after `detach()` a new call starts afresh on the same page. Tests sharing one
 * browser must not run in parallel.
 */
export async function attachVirtualLock(
  page: Page,
  lock: VirtualLock | VirtualLockOptions,
  options: AttachOptions = {},
): Promise<AttachedVirtualLock> {
  const emulator = await emulatorFor(page, options);
  const virtualLock = lock instanceof VirtualLock ? lock : new VirtualLock(lock);
  const address = await emulator.addLock(virtualLock);
  return {
    lock: virtualLock,
    address,
    emulator,
    gattCounts: () => emulator.counts(address),
    setGattFaults: (faults) => emulator.setFaults(address, faults),
    disconnect: () => emulator.disconnect(address),
    detach: async () => {
      const browser = page.context().browser();
      // Only if it is still this browser's: a lock detached twice must not end a newer emulator.
      if (browser && (await emulators.get(browser)?.catch(() => undefined)) === emulator) emulators.delete(browser);
      await emulator.stop();
    },
  };
}
