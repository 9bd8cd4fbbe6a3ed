import type { LoadErrorCode } from '../credentials/errors.ts';
import type { IkErrorCode } from '../events.ts';
import { addEnglish } from './index.ts';

/**
 * English for a door that did not unlock: the title over the error, and each Bluetooth and
 * lock error. They show only once a door was tried, which needs the key's view, so they ride
 * in that chunk (view/unlock-failure.ts imports this module) rather than in the entry, and
 * join the English catalog when it loads. Other locales keep them in their one catalog.
 */
export const enUnlock = {
  'error.unlockTitle': '{entrance} did not unlock',
  'error.ble_cancelled': 'No lock was chosen.',
  'error.ble_unavailable': 'Bluetooth is off or not allowed. Turn it on and try again.',
  'error.ble_connect_failed': 'Could not reach the lock. Stand close to the door and try again.',
  'error.ble_disconnected': 'The connection to the lock was lost. Stay close to the door and try again.',
  'error.ble_timeout': 'The lock did not answer in time. Stand close to the door and try again.',
  'error.ble_gatt_failed': 'Bluetooth was busy. Try again.',
  'error.lock_bad_ticket': 'The lock did not accept this key. Ask the front desk.',
  'error.lock_wrong_lock': 'This key does not open that lock. Check that you are at the right door.',
  'error.lock_not_yet_valid': 'Your access to this door has not started yet.',
  'error.lock_expired': 'Your key for this door is out of date. Update it, then try again.',
  'error.lock_bad_proof': 'The lock did not accept this key. Update it, then try again.',
  'error.lock_revoked': 'This key was cancelled on the lock. Ask the front desk.',
  'error.lock_forbidden': 'This key may not open that door. Ask the front desk.',
  'error.lock_out_of_order': 'The lock got out of step. Try again.',
  'error.lock_busy': 'The lock is busy with another phone. Try again in a moment.',
  'error.lock_unsupported_version': 'This lock needs a newer key. Ask the front desk.',
  'error.lock_malformed': 'The lock could not read the request. Try again.',
  'error.lock_jammed': 'The lock is jammed. Ask the front desk for help.',
  'error.lock_unauthenticated': 'The lock answer could not be verified. Try again.',
  'error.lock_protocol_error': 'The lock answered unexpectedly. Try again.',
} as const satisfies Record<`error.${Exclude<IkErrorCode, LoadErrorCode>}`, string> & Record<string, string>;

addEnglish(enUnlock);
