import type { LoadErrorCode } from '../credentials/errors.ts';
import type { enUnlock } from './en-unlock.ts';

/**
 * Every string the element shows, in English, but for the unlock failures (en-unlock.ts,
 * which join it with the key's view). Other locales (./locales/*) translate both and are
 * loaded on demand; a key missing there falls back to English. `{name}` placeholders are
 * filled by `msg()`. Each error says what happened, then what to do.
 */
export const en = {
  'status.loading': 'Loading your key…',
  'status.ready': 'Your key is ready.',
  'status.unlocking': 'Unlocking {entrance}…',
  'status.unlocked': '{entrance} is unlocked.',

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
  'nearby.name': 'The door',
  'empty.title': 'Your access has not started yet',
  'empty.starts': 'Your doors open {date}. This page updates itself.',
  'empty.none': 'No door is open to you right now.',
  'upcoming.label': 'Coming up',
  'upcoming.from': 'From {date}',

  'action.retry': 'Try again',
  'action.back': 'Back',
  'action.refresh': 'Update key',
  'action.share': 'Share key',
  'action.copy': 'Copy link',
  'action.copied': 'Link copied.',
  'action.sms': 'Text message',
  'action.email': 'Email',
  'share.title': 'Your room key',

  'notice.ble_cancelled': 'No lock was chosen. Tap Unlock when you are at the door.',
  'notice.ble_unavailable': 'Turn on Bluetooth to unlock your doors.',
  'notice.network_offline': 'You are offline. Your saved key still works.',
  'notice.network_error': 'Your key could not be updated. Your saved key still works.',

  'unsupported.title': 'This browser cannot open doors',
  'unsupported.insecure_context': 'This page is not secure (https), so it cannot use Bluetooth. Open your key link directly.',
  'unsupported.no_bluetooth':
    'Doors open with Bluetooth in Chrome, Edge or Samsung Internet on Android, or Chrome or Edge on a computer. iPhone browsers and Firefox cannot. Send this link to such a phone.',
  'unsupported.blocked_by_policy':
    'This page does not let the key use Bluetooth. Open your key link directly. (Site owner: add allow="bluetooth" to the iframe.)',
  'expired.title': 'This key has expired',
  'expired.body': 'Ask the front desk for a new link.',
  'revoked.title': 'This key is no longer valid',
  'revoked.body': 'It was cancelled. Ask the front desk for a new link.',
  'error.loadTitle': 'Your key could not be loaded',
  'error.linkTitle': 'This link cannot be used',

  'error.network_offline': 'You are offline. Connect to the internet and try again.',
  'error.network_error': 'The key service is not answering. Try again in a moment.',
  'error.link_invalid': 'This link is not valid. Check that you opened the whole link.',
  'error.link_expired': 'This key has expired.',
  'error.link_revoked': 'This key was cancelled.',
  'error.link_max_use': 'This key is already used on as many phones as allowed. Open it on the phone you used before, or ask the front desk.',
} as const satisfies Record<`error.${LoadErrorCode}`, string> & Record<string, string>;

export type MessageKey = keyof typeof en | keyof typeof enUnlock;
