import type { LoadErrorCode } from '../credentials/errors.ts';
import type { IkErrorCode } from '../events.ts';
import { en, type MessageKey } from './en.ts';

/**
 * The loaded key's strings, in English (see en.ts): part of the key view's chunk, which adds
 * them to the English catalog (`extendEnglish`) when it loads.
 */
export const enKey = {
  'status.unlocking': 'Unlocking {entrance}…',
  'status.unlocked': '{entrance} is unlocked.',

  'key.greeting': 'Welcome, {name}',
  'key.greetingAnon': 'Welcome',
  'key.checkIn': 'Check-in: {date}',
  'key.checkOut': 'Check-out: {date}',
  'key.chooserHint': 'When you tap Unlock, your phone lists the locks nearby: pick the one in front of you.',
  'key.stay': 'Your stay: {from} – {to}',
  'key.validUntil': 'Key valid until {date}',
  'entrances.label': 'Your doors',
  'group.guest_room': 'Rooms',
  'group.elevator': 'Elevators',
  'group.amenity': 'Amenities',
  'group.common_area': 'Common areas',
  'entrance.until': 'Until {date}',
  'entrance.floor': 'Floor {floor}',
  'entrance.closed': 'Closed now',
  'entrance.unlock': 'Unlock',
  'entrance.unlocking': 'Unlocking…',
  'entrance.unlocked': 'Unlocked',
  'entrance.inRange': 'Nearby',
  'nearby.unlock': 'Unlock nearby door',
  'nearby.name': 'The door',
  'empty.title': 'Your access has not started yet',
  'empty.starts': 'Your doors open {date}. This page updates itself.',
  'empty.none': 'No door is open to you right now.',
  'upcoming.label': 'Coming up',
  'upcoming.from': 'From {date}',

  'action.back': 'Back',
  'action.refresh': 'Update key',

  'notice.ble_cancelled': 'No lock was chosen. Tap Unlock when you are next to the lock.',
  'notice.ble_cancelled_for': 'No lock was chosen for {entrance}. If your phone listed none, stand next to it, check that Bluetooth is on and tap Unlock again.',
  'notice.ble_unavailable': 'Turn on Bluetooth to unlock your doors.',
  'notice.network_offline': 'Offline · your key works until {time}',
  'notice.network_error': 'Your key could not be updated · it works until {time}',
  'notice.saved': 'Still connecting · your saved key works until {time}',
  'notice.ending': 'Your key stops working at {time}. Connect to the internet before then to renew it.',
  'renew.title': 'Connect to renew',
  'renew.body': 'Your saved key has run out. Connect to the internet and it renews itself.',
  'action.remove': 'Remove this key from this phone',

  'error.unlockTitle': '{entrance} did not unlock',

  'error.ble_cancelled': 'No lock was chosen.',
  'error.ble_unavailable': 'Bluetooth is off or not allowed. Turn it on and try again.',
  'error.ble_connect_failed': 'Could not reach the lock. Stand next to it and try again.',
  'error.ble_disconnected': 'The connection to the lock was lost. Stay next to it and try again.',
  'error.ble_timeout': 'The lock did not answer in time. Stand next to it and try again.',
  'error.ble_gatt_failed': 'Bluetooth was busy. Try again.',
  'error.lock_bad_ticket': 'The lock did not accept this key. Ask the front desk.',
  'error.lock_wrong_lock': 'This key does not open that lock. Check that you chose the right one.',
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
  'error.credential_invalid': "This key's data is damaged. Reload the page to fetch it again.",
} as const satisfies Record<`error.${Exclude<IkErrorCode, LoadErrorCode>}`, string> & Record<string, string>;

/** True when `key` names an English message, for keys built at run time (`error.${code}`). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(enKey, key) || Object.hasOwn(en, key);
}
