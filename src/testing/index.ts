/**
 * `instant-key/testing`: the QA kit, for Node. A virtual lock (the lock side of
 * docs/protocol.md as a pure state machine, with fault injection and revocation lists that
 * lock updates change), an in-memory transport for the phone-side session, and the glue that puts virtual locks in range of a real Chromium over
 * CDP Bluetooth emulation, from Playwright (`attachVirtualLock`) or from Web Test Runner
 * (`virtualLockPlugin`), and a native bridge host that answers the element's bridge messages
 * with virtual locks (`attachBridgeHost`, docs/native-bridge.md). The page-side helpers for Web Test Runner run in the browser, so
 * they are a separate entry: `instant-key/testing/browser`.
 *
 * Nothing here loads Playwright or Web Test Runner at run time: they appear as types only, and
 * the caller hands in its own `Page` or runs the plugin inside its own test runner.
 *
 * ```ts
 * import { VirtualLock, sealTicket } from 'instant-key/testing';
 *
 * const lock = new VirtualLock({ lockId, lockKey });
 * const challenge = lock.exchange(hello); // one whole message in, the whole reply out
 * ```
 *
 * Readers that share one key (an elevator bank, docs/protocol.md section 3): build two locks with the
 * same `lockKey` and different `lockId`s. Each opens the other's tickets and answers them with
 * an authenticated `WRONG_LOCK`:
 *
 * ```ts
 * const lift = new VirtualLock({ lockId: liftA, lockKey: bankKey });
 * const other = new VirtualLock({ lockId: liftB, lockKey: bankKey });
 * other.exchange(helloWithLiftATicket); // 04 02 | lock_nonce | nonce | tag: WRONG_LOCK
 * ```
 */
export {
  LockDisconnectedError,
  noFaults,
  VirtualLock,
  type AuditEntry,
  type UpdateRefusal,
  type LockConnection,
  type LockFaults,
  type VirtualLockOptions,
} from './virtual-lock.ts';
export { MemoryTransport, type GattOperationCounts } from './memory-transport.ts';
export { lockFromSpec, type LockSpec } from './lock-spec.ts';
export {
  BluetoothEmulator,
  type AdapterState,
  type ChooserPolicy,
  type EmulatedConnection,
  type EmulatedLock,
  type GattCounts,
  type GattFaults,
} from './bluetooth-emulator.ts';
export { attachVirtualLock, type AttachedVirtualLock, type AttachOptions } from './playwright.ts';
export { virtualLockPlugin } from './wtr-plugin.ts';
export {
  attachBridgeHost,
  type BridgeChooser,
  type BridgeHost,
  type BridgeHostOptions,
  type BridgeLock,
  type BridgeLockCounts,
  type BridgeLockFaults,
  type TranscriptEntry,
} from './bridge-host.ts';
// What a test needs to speak to the lock: tickets to present, and the statuses it answers.
export { sealTicket, type TicketContents } from '../protocol/ticket.ts';
export { sealLockUpdate, type LockUpdateContents } from '../protocol/lock-update.ts';
export { CHALLENGE_WINDOW_MS } from '../protocol/constants.ts';
export { Status, statusName, type StatusCode, type StatusName } from '../protocol/status.ts';
