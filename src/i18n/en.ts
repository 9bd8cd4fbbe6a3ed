import type { IkErrorCode } from '../events.ts';

/**
 * Every string the element shows, in English. Other locales copy this file; a key missing
 * there falls back to this catalog. `{name}` placeholders are filled by `msg()`.
 */
export const en = {
  'status.loading': 'Loading your key…',
  'status.ready': 'Your key is ready.',
  'status.unlocking': 'Unlocking {entrance}…',
  'status.unlocked': '{entrance} is unlocked.',

  'key.greeting': 'Welcome, {name}',
  'key.validUntil': 'Key valid until {date}',
  'entrances.label': 'Your doors',
  'entrances.none': 'No door is open to you right now.',
  'entrance.until': 'Until {date}',
  'entrance.unlock': 'Unlock',
  'entrance.unlockLabel': 'Unlock {entrance}',
  'entrance.unlocking': 'Unlocking…',
  'entrance.unlocked': 'Unlocked',
  'upcoming.label': 'Coming up',
  'upcoming.from': 'From {date}',

  'kind.guest_room': 'Room',
  'kind.elevator': 'Elevator',
  'kind.amenity': 'Amenity',
  'kind.common_area': 'Common area',

  'action.retry': 'Try again',
  'action.back': 'Back',

  'notice.ble_cancelled': 'No lock was chosen. Tap Unlock when you are at the door.',
  'notice.ble_unavailable': 'Turn on Bluetooth to unlock your doors.',

  'unsupported.title': 'This browser cannot open doors',
  'unsupported.insecure_context': 'Open this page over a secure (https) connection.',
  'unsupported.no_bluetooth': 'Open this link in Chrome on an Android phone or a computer with Bluetooth.',
  'unsupported.blocked_by_policy': 'This page does not allow Bluetooth. Open your key link directly instead.',
  'expired.title': 'This key has expired',
  'expired.body': 'Ask the front desk for a new link.',
  'revoked.title': 'This key is no longer valid',
  'revoked.body': 'It was cancelled. Ask the front desk for a new link.',
  'error.loadTitle': 'Your key could not be loaded',
  'error.unlockTitle': '{entrance} did not unlock',

  'error.network_offline': 'You are offline. Connect to the internet and try again.',
  'error.network_error': 'The key service could not be reached. Try again in a moment.',
  'error.link_invalid': 'This link is not valid. Check that you opened the whole link.',
  'error.link_expired': 'This key has expired.',
  'error.link_revoked': 'This key was cancelled.',
  'error.link_max_use': 'This key is already in use on the maximum number of devices.',
  'error.ble_cancelled': 'No lock was chosen.',
  'error.ble_unavailable': 'Bluetooth is off or not allowed. Turn it on and try again.',
  'error.ble_connect_failed': 'Could not connect to the lock. Move closer and try again.',
  'error.ble_disconnected': 'The lock disconnected. Move closer and try again.',
  'error.ble_timeout': 'The lock did not answer in time. Move closer and try again.',
  'error.ble_gatt_failed': 'Talking to the lock failed. Try again.',
  'error.lock_bad_ticket': 'The lock did not accept this key. Ask the front desk.',
  'error.lock_wrong_lock': 'This key does not open that lock.',
  'error.lock_not_yet_valid': 'Your access has not started yet.',
  'error.lock_expired': 'Your access to this door has ended, or the lock clock is off. Reload to refresh your key.',
  'error.lock_bad_proof': 'The lock did not accept this key. Reload and try again.',
  'error.lock_revoked': 'This key was cancelled on the lock. Ask the front desk.',
  'error.lock_forbidden': 'This key may not open that door.',
  'error.lock_out_of_order': 'The lock got confused. Try again.',
  'error.lock_busy': 'The lock is busy with someone else. Try again in a moment.',
  'error.lock_unsupported_version': 'This lock needs a newer key format. Ask the front desk.',
  'error.lock_malformed': 'The lock could not read the request. Try again.',
  'error.lock_jammed': 'The lock is jammed. Ask the front desk for help.',
  'error.lock_unauthenticated': 'The lock answer could not be verified. Try again.',
  'error.lock_protocol_error': 'The lock answered unexpectedly. Try again.',
} as const satisfies Record<`error.${IkErrorCode}`, string> & Record<string, string>;

export type MessageKey = keyof typeof en;
