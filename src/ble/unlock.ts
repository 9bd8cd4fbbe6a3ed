import type { StatusName } from '../protocol/status.ts';
import { unlockWithTransport, type UnlockCredential, type UnlockErrorCode } from '../protocol/session.ts';
import { classifyRequestError, connectLock, disconnectLock, DEFAULT_STEP_TIMEOUT_MS } from './connect.ts';
import { BleError, type BleErrorCode } from './errors.ts';
import { WebBluetoothTransport } from './web-bluetooth-transport.ts';

/*
 * One unlock over Web Bluetooth: the chosen device -> connect -> IK1 session -> disconnect.
 * The chooser itself is opened by the caller, synchronously in the tap handler, and handed
 * in as a promise: this module may await freely, the user activation is no longer needed.
 */

/** `load_failed`: the element could not fetch its own unlock code (a lazy chunk). */
export type BluetoothUnlockCode = UnlockErrorCode | BleErrorCode | 'load_failed';

export type BluetoothUnlockResult =
  | { ok: true; credentialId: string; lockId: string }
  | { ok: false; code: BluetoothUnlockCode; message: string; credentialId?: string; lockId?: string; status?: StatusName };

export interface BluetoothUnlockOptions {
  bluetooth: Bluetooth;
  signal: AbortSignal;
  stepTimeoutMs?: number;
  onStep?: (step: string) => void;
}

/** Never rejects: every failure is a typed result, an abort is `{ code: 'aborted' }`. */
export async function unlockViaBluetooth(
  chosenDevice: Promise<BluetoothDevice>,
  credentials: readonly UnlockCredential[],
  options: BluetoothUnlockOptions,
): Promise<BluetoothUnlockResult> {
  const { bluetooth, signal, stepTimeoutMs = DEFAULT_STEP_TIMEOUT_MS, onStep } = options;
  let device: BluetoothDevice;
  try {
    device = await chosenDevice;
  } catch (error) {
    const bleError = await classifyRequestError(error, bluetooth);
    return { ok: false, code: bleError.code, message: bleError.message };
  }
  if (signal.aborted) return aborted();

  let transport: WebBluetoothTransport | undefined;
  try {
    onStep?.('connect');
    const link = await connectLock(device, { signal, stepTimeoutMs });
    transport = new WebBluetoothTransport(link);
    const outcome = await unlockWithTransport(transport, credentials, {
      signal,
      stepTimeoutMs,
      ...(onStep ? { onStep } : {}),
    });
    if (outcome.ok) return outcome;
    return { ...outcome, message: `Unlock failed: ${outcome.code}` };
  } catch (error) {
    if (signal.aborted) return aborted();
    if (error instanceof BleError) return { ok: false, code: error.code, message: error.message };
    // The session reports its failures as outcomes; anything thrown here is unexpected.
    return { ok: false, code: 'ble_connect_failed', message: 'Unexpected Bluetooth failure' };
  } finally {
    transport?.dispose();
    disconnectLock(device);
  }
}

function aborted(): BluetoothUnlockResult {
  return { ok: false, code: 'aborted', message: 'Unlock aborted' };
}
