/*
 * The unlock engine behind one function: connecting, the IK1 session and its cryptography are
 * most of the element's code, and none of it is needed to show the key. Kept as one module so
 * the element can load it with `import()` (started when credentials arrive, so it is in memory
 * before the first tap and when the network goes away). The nearby-lock watcher rides along:
 * it starts at the same moment.
 */
import type { Credential } from '../credentials/types.ts';
import { toUnlockCredential } from '../credentials/unlock-credential.ts';
import { unlockViaBluetooth, type BluetoothUnlockResult } from './unlock.ts';

export { NearbyLocks } from './nearby.ts';

/** `unlockViaBluetooth` over wire credentials. Never rejects (see there). */
export function unlockDoors(
  chosen: Promise<BluetoothDevice>,
  credentials: readonly Credential[],
  options: { bluetooth: Bluetooth; signal: AbortSignal },
): Promise<BluetoothUnlockResult> {
  return unlockViaBluetooth(chosen, credentials.map(toUnlockCredential), options);
}
