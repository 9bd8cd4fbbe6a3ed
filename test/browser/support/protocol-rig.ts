/**
 * The unlock session as the element runs it (the real Web Bluetooth transport and
 * `unlockWithTransport`), against virtual locks the test adds through the QA kit's WTR plugin.
 */
import { sendMouse } from '@web/test-runner-commands';
import { warmUpInput } from './input.ts';
import { connectLock, disconnectLock, requestLockDevice } from '../../../src/ble/connect.ts';
import { BleError, type BleErrorCode } from '../../../src/ble/errors.ts';
import { LinkFrameTransport } from '../../../src/ble/frame-link.ts';
import { gattLockLink } from '../../../src/ble/gatt-link.ts';
import { bytesToBase64url, randomBytes } from '../../../src/protocol/bytes.ts';
import { unlockWithTransport, type UnlockCredential, type UnlockOutcome, type UnlockStep } from '../../../src/protocol/session.ts';
import { sealTicket } from '../../../src/protocol/ticket.ts';
import type { FrameTransport } from '../../../src/protocol/transport.ts';
import type { LockSpec } from '../../../src/testing/browser.ts';

export interface DoorOptions {
  maxFrame?: number;
  /** Ticket window relative to now, in seconds (default: from a minute ago, one hour long). */
  window?: { fromS: number; toS: number };
  permissions?: number;
  /** The lock's key, to build a shared-key group; default a fresh one. */
  lockKey?: Uint8Array;
  /** The key the ticket is sealed under; default the lock's (another key: BAD_TICKET). */
  ticketKey?: Uint8Array;
  /** The lock id inside the ticket; default the lock's own. */
  ticketLockId?: string;
}

export interface Door {
  /** What to hand `addLock`. */
  spec: LockSpec;
  /** The guest's credential for this door, as the credential list gives it. */
  credential: UnlockCredential;
  lockKey: Uint8Array;
}

let counter = 0;

/** A lock and a credential for it, minted in the page as the issuance server would. */
export function mintDoor(options: DoorOptions = {}): Door {
  const now = Math.floor(Date.now() / 1000);
  const lockKey = options.lockKey ?? randomBytes(32);
  const lockId = crypto.randomUUID();
  const credentialId = crypto.randomUUID();
  const credentialKey = randomBytes(32);
  const ticket = sealTicket(options.ticketKey ?? lockKey, {
    lockId: options.ticketLockId ?? lockId,
    credentialId,
    notBefore: now + (options.window?.fromS ?? -60),
    notAfter: now + (options.window?.toS ?? 3600),
    credentialKey,
    permissions: options.permissions ?? 1,
  });
  const spec: LockSpec = { lockId, lockKey: bytesToBase64url(lockKey), name: `IK-P${String(++counter).padStart(5, '0')}` };
  if (options.maxFrame) spec.maxFrame = options.maxFrame;
  return { spec, lockKey, credential: { credentialId, lockId, ticket, credentialKey } };
}

/**
 * Opens the device chooser for the lock named `name` as a guest does: a real click on a real
 * button, whose handler calls `requestDevice` synchronously (it needs the user activation).
 */
export async function chooseLock(name: string): Promise<BluetoothDevice> {
  await warmUpInput();
  const button = document.createElement('button');
  button.textContent = `Unlock ${name}`;
  button.style.cssText = 'position:fixed;left:0;top:0;width:200px;height:60px';
  let chosen: Promise<BluetoothDevice> | undefined;
  button.addEventListener('click', () => (chosen = requestLockDevice(navigator.bluetooth!, [name])), { once: true });
  document.body.append(button);
  try {
    await sendMouse({ type: 'click', position: [100, 30] });
    if (!chosen) throw new Error('the click did not reach the button');
    return await chosen;
  } finally {
    button.remove();
  }
}

/** What an attempt ended in: the session's outcome, or a Bluetooth failure before it began. */
export type Attempt = UnlockOutcome | { ok: false; code: BleErrorCode };

export interface AttemptOptions {
  stepTimeoutMs?: number;
  onStep?: (step: UnlockStep) => void;
  /** Rewrites each frame on its way to the lock, as a damaged or hostile link would. */
  tamper?: (frame: Uint8Array, step: UnlockStep | undefined) => Uint8Array;
}

/** Connects, runs the unlock session over Web Bluetooth and disconnects, as `src/ble/unlock.ts` does. */
export async function attemptUnlock(
  device: BluetoothDevice,
  credentials: UnlockCredential[],
  options: AttemptOptions = {},
): Promise<Attempt> {
  const signal = new AbortController().signal;
  const stepTimeoutMs = options.stepTimeoutMs ?? 5_000;
  let transport: LinkFrameTransport | undefined;
  try {
    transport = new LinkFrameTransport(gattLockLink(await connectLock(device, { signal, stepTimeoutMs })));
    let step: UnlockStep | undefined;
    const tamper = options.tamper;
    const wire: FrameTransport = tamper
      ? {
          readInfo: (s) => transport!.readInfo(s),
          writeFrame: (frame, s) => transport!.writeFrame(tamper(frame.slice(), step), s),
          readFrame: (s) => transport!.readFrame(s),
        }
      : transport;
    return await unlockWithTransport(wire, credentials, {
      stepTimeoutMs,
      onStep: (s) => {
        step = s;
        options.onStep?.(s);
      },
    });
  } catch (error) {
    if (error instanceof BleError) return { ok: false, code: error.code };
    throw error;
  } finally {
    transport?.dispose();
    disconnectLock(device);
  }
}

/** Tells when the session reaches a step: for acting on the lock mid-exchange. */
export function stepReached(): { onStep: (step: UnlockStep) => void; reached: (step: UnlockStep) => Promise<void> } {
  const waiters = new Map<UnlockStep, () => void>();
  const seen = new Set<UnlockStep>();
  return {
    onStep: (step) => {
      seen.add(step);
      waiters.get(step)?.();
    },
    reached: (step) => (seen.has(step) ? Promise.resolve() : new Promise((resolve) => waiters.set(step, resolve))),
  };
}
