/**
 * The English strings of the loaded key's view (doors, stay, offline notices): shipped with
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
} as const satisfies Record<string, string>;
