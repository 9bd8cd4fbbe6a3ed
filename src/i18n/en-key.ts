import type { LoadErrorCode } from '../credentials/errors.ts';
import type { UnlockFailureCode } from '../state/unlock.ts';

/**
 * The English strings of the loaded key's view (doors, stay, offline notices, unlock outcomes): shipped with
 * that view's chunk (src/view/key.ts registers them), not in the script-tag file, which shows
 * only loading, link states and errors before it. Other locales translate them with the rest.
 */
export const enKey = {
  'key.greeting': 'Welcome, {name}',
  'key.stay': 'Your stay: {from} – {to}',
  'key.validUntil': 'Key valid until {date}',
  'entrances.label': 'Your doors',
  'group.guest_room': 'Rooms',
  'group.elevator': 'Elevators',
  'group.amenity': 'Amenities',
  'group.common_area': 'Common areas',
  'entrance.until': 'Until {date}',
  'entrance.unlock': 'Unlock',
  'entrance.unlocking': 'Unlocking…',
  'entrance.unlocked': 'Unlocked',
  'entrance.inRange': 'Nearby',
  'nearby.unlock': 'Unlock nearby door',
  'empty.title': 'Your access has not started yet',
  'empty.starts': 'Your doors open {date}. This page updates itself.',
  'empty.none': 'No door is open to you right now.',
  'upcoming.label': 'Coming up',
  'upcoming.from': 'From {date}',
  'notice.network_offline': 'Offline · your key works until {time}',
  'notice.network_error': 'Your key could not be updated · it works until {time}',
  'notice.saved': 'Still connecting · your saved key works until {time}',
  'notice.ending': 'Your key stops working at {time}. Connect to the internet before then to renew it.',
  'renew.title': 'Connect to renew',
  'renew.body': 'Your saved key has run out. Connect to the internet and it renews itself.',
  'action.remove': 'Remove this key from this phone',
  // An unlock's outcomes: only a loaded key can be unlocked.
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
} as const satisfies Record<`error.${Exclude<UnlockFailureCode, LoadErrorCode>}`, string> & Record<string, string>;
