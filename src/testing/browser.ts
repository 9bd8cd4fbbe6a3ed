/**
 * Browser-side half of the QA kit for Web Test Runner: emulated IK1 locks in the Chromium
 * running the test, driven through `virtualLockPlugin()` on the Node side.
 */
import { executeServerCommand } from '@web/test-runner-commands';
import type { AdapterState, ChooserPolicy, GattCounts, GattFaults } from './bluetooth-emulator.ts';
import type { LockSpec } from './lock-spec.ts';
import type { AuditEntry, LockFaults } from './virtual-lock.ts';
import { LOCK_COMMANDS } from './wtr-commands.ts';

export type { LockSpec };

/** What a lock has seen: its audit log, real bolt drives, and the page's GATT operations. */
export interface LockReport {
  log: AuditEntry[];
  unlockCount: number;
  gatt: GattCounts;
}

/** A lock the test added; every method talks to the Node side. */
export interface AttachedLock {
  readonly address: string;
  readonly name: string;
  report(): Promise<LockReport>;
  setFaults(faults: { lock?: Partial<LockFaults>; gatt?: Partial<GattFaults> }): Promise<void>;
  revoke(credentialId: string): Promise<void>;
  disconnect(): Promise<void>;
  /** Advertises once, as a lock in range does: pages watching it (nearby detection) hear it. */
  advertise(options?: { rssi?: number }): Promise<void>;
}

async function command<T>(name: string, payload?: unknown): Promise<T> {
  return (await executeServerCommand(name, payload)) as T;
}

/** Turns Bluetooth emulation on for this test's browser (call in `beforeEach`). */
export async function startBluetooth(options: { adapter?: AdapterState; chooser?: ChooserPolicy } = {}): Promise<void> {
  await command(LOCK_COMMANDS.start, options);
}

/** Turns emulation off and forgets every lock (call in `afterEach`). */
export async function stopBluetooth(): Promise<void> {
  await command(LOCK_COMMANDS.stop);
}

export async function setAdapter(state: AdapterState): Promise<void> {
  await command(LOCK_COMMANDS.adapter, { state });
}

/** How the device chooser is answered from now on. */
export async function setChooser(policy: ChooserPolicy): Promise<void> {
  await command(LOCK_COMMANDS.chooser, policy);
}

/** Adds a virtual IK1 lock in range of the page. */
export async function addLock(spec: LockSpec): Promise<AttachedLock> {
  const { address, name } = await command<{ address: string; name: string }>(LOCK_COMMANDS.addLock, spec);
  return {
    address,
    name,
    report: () => command<LockReport>(LOCK_COMMANDS.report, { address }),
    setFaults: async (faults) => void (await command(LOCK_COMMANDS.faults, { address, ...faults })),
    revoke: async (credentialId) => void (await command(LOCK_COMMANDS.revoke, { address, credentialId })),
    disconnect: async () => void (await command(LOCK_COMMANDS.disconnect, { address })),
    advertise: async (options = {}) => void (await command(LOCK_COMMANDS.advertise, { address, ...options })),
  };
}
