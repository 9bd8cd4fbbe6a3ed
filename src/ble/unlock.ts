import type { StatusName } from '../protocol/status.ts';
import { unlockWithTransport, type UnlockCredential, type UnlockErrorCode } from '../protocol/session.ts';
import { DEFAULT_STEP_TIMEOUT_MS } from './connect.ts';
import type { BleErrorCode } from './errors.ts';
import { LinkFrameTransport } from './frame-link.ts';
import { transportErrorCode, type BluetoothTransport, type ChosenLock, type LockLink } from './transport.ts';

/*
 * One unlock over any `BluetoothTransport`: the chosen lock -> connect -> IK1 session ->
 * disconnect. The picker itself is opened by the caller, synchronously in the tap handler, and
 * handed in as a promise: this module may await freely, the user activation is no longer needed.
 */

/** `load_failed`: the element could not fetch its own unlock code (a lazy chunk). */
export type BluetoothUnlockCode = UnlockErrorCode | BleErrorCode | 'load_failed';

export type BluetoothUnlockResult =
  | { ok: true; credentialId: string; lockId: string }
  | { ok: false; code: BluetoothUnlockCode; message: string; credentialId?: string; lockId?: string; status?: StatusName };

export interface TransportUnlockOptions {
  signal: AbortSignal;
  stepTimeoutMs?: number;
  onStep?: (step: string) => void;
}

/** Never rejects: every failure is a typed result, an abort is `{ code: 'aborted' }`. */
export async function unlockOverTransport(
  transport: BluetoothTransport,
  chosenLock: Promise<ChosenLock>,
  credentials: readonly UnlockCredential[],
  options: TransportUnlockOptions,
): Promise<BluetoothUnlockResult> {
  const { signal, stepTimeoutMs = DEFAULT_STEP_TIMEOUT_MS, onStep } = options;
  let lock: ChosenLock;
  try {
    lock = await chosenLock;
  } catch (error) {
    return failure(transportErrorCode(error) ?? 'ble_connect_failed', error, 'The lock could not be chosen');
  }
  if (signal.aborted) return aborted();

  let link: LockLink | undefined;
  let frames: LinkFrameTransport | undefined;
  try {
    onStep?.('connect');
    link = await connectWithin(transport, lock, signal, stepTimeoutMs);
    frames = new LinkFrameTransport(link);
    const outcome = await unlockWithTransport(frames, credentials, {
      signal,
      stepTimeoutMs,
      ...(onStep ? { onStep } : {}),
    });
    if (outcome.ok) return outcome;
    // The session has no code for a link's own timeout (a native host's): it says gatt_failed.
    const code = outcome.code === 'ble_gatt_failed' && frames.lastFailure === 'ble_timeout' ? 'ble_timeout' : outcome.code;
    return { ...outcome, code, message: `Unlock failed: ${code}` };
  } catch (error) {
    if (signal.aborted) return aborted();
    return failure(transportErrorCode(error) ?? 'ble_connect_failed', error, 'Could not connect to the lock');
  } finally {
    frames?.dispose();
    safeDisconnect(link);
  }
}

/**
 * `transport.connect` bounded by two steps (connecting, then discovery), whatever the
 * transport does with its `timeoutMs`. A link that arrives after the caller gave up is
 * released at once.
 */
function connectWithin(transport: BluetoothTransport, lock: ChosenLock, signal: AbortSignal, stepTimeoutMs: number): Promise<LockLink> {
  const attempt = new AbortController();
  const giveUp = (reason: unknown): void => attempt.abort(reason);
  const onAbort = (): void => giveUp(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return new Promise<LockLink>((resolve, reject) => {
    const timer = setTimeout(() => {
      const timeout = Object.assign(new Error('The lock did not answer (connect)'), { code: 'ble_timeout' });
      giveUp(timeout);
      reject(timeout);
    }, 2 * stepTimeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason), { once: true });
    let connecting: Promise<LockLink>;
    try {
      connecting = Promise.resolve(transport.connect(lock, { signal: attempt.signal, timeoutMs: stepTimeoutMs }));
    } catch (error) {
      connecting = Promise.reject(error);
    }
    connecting.then(
      (link) => {
        done();
        if (attempt.signal.aborted) safeDisconnect(link);
        else resolve(link);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
  });
}

function safeDisconnect(link: LockLink | undefined): void {
  try {
    link?.disconnect();
  } catch {
    // Already gone: a transport's disconnect must not throw, but one that does changes nothing.
  }
}

function failure(code: BleErrorCode, error: unknown, fallback: string): BluetoothUnlockResult {
  const message = error instanceof Error && error.message ? error.message : fallback;
  return { ok: false, code, message };
}

function aborted(): BluetoothUnlockResult {
  return { ok: false, code: 'aborted', message: 'Unlock aborted' };
}
