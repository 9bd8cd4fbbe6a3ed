/*
 * The unlock engine behind one function: connecting, the IK1 session and its cryptography are
 * most of the element's code, and none of it is needed to show the key. Kept as one module so
 * the element can load it with `import()` (start it when credentials arrive, so it is in
 * memory before the first tap and when the network goes away).
 */
import type { Credential } from '../credentials/types.ts';
import { toUnlockCredential } from '../credentials/unlock-credential.ts';
import type { BluetoothTransport, ChosenLock } from './transport.ts';
import { unlockOverTransport, type BluetoothUnlockResult } from './unlock.ts';

/** `unlockOverTransport` over wire credentials. Never rejects (see there). */
export function unlockDoors(
  transport: BluetoothTransport,
  chosen: Promise<ChosenLock>,
  credentials: readonly Credential[],
  options: { signal: AbortSignal },
): Promise<BluetoothUnlockResult> {
  return unlockOverTransport(transport, chosen, credentials.map(toUnlockCredential), options);
}
