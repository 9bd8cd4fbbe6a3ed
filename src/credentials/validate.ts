import { ID_LENGTH, KEY_LENGTH, MAX_LOCK_UPDATE_LENGTH, MIN_LOCK_UPDATE_LENGTH, TICKET_LENGTH } from '../protocol/constants.ts';
import { CredentialsError } from './errors.ts';
import { validEmail, validPhone } from './support-contact.ts';
import { ENTRANCE_KINDS, type CredentialsResponse } from './types.ts';

/*
 * Strict validation of the endpoint's JSON (api.md, section 2). Everything the element later
 * trusts (ids used as DOM data, colours put into CSS, byte lengths fed to the unlock session) is
 * checked here, once, against the shape below. Unknown fields are dropped so that nothing
 * unchecked travels further. Issues name the field and the expected type, never the value:
 * the body carries tickets and keys.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** api.md, section 4: at most 29 ASCII characters (the BLE local name limit). */
const BLE_NAME_RE = /^[\x20-\x7e]{1,29}$/;
const COLOR_RE = /^#[0-9a-f]{6}$/i;
/** `HH:MM-HH:MM`, 24-hour; the end may be `24:00`. */
const HOURS_RE = /^(?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const ZONE_RE = /^[A-Za-z][\w+-]*(?:\/[\w+-]+)*$/;
const MAX_TEXT = 200;

const matching = (re: RegExp) => (v: unknown) => (typeof v === 'string' && re.test(v) ? v : undefined);

/**
 * Unpadded base64url of exactly `length` bytes: 4 characters per 3 bytes, a partial group
 * without its `=`. Decoding waits for the unlock engine, which is not loaded to show the key.
 */
const bytes = (length: number) => matching(new RegExp(`^[\\w-]{${Math.ceil((length * 4) / 3)}}$`));

/** Unpadded base64url of a lock update: 61 bytes and 16 per listed credential, at most 100. */
const lockUpdate = (v: unknown) => {
  if (typeof v !== 'string' || !/^[\w-]+$/.test(v)) return undefined;
  const length = Math.floor((v.length * 3) / 4);
  const fits = length >= MIN_LOCK_UPDATE_LENGTH && length <= MAX_LOCK_UPDATE_LENGTH && (length - MIN_LOCK_UPDATE_LENGTH) % ID_LENGTH === 0;
  return fits && v.length === Math.ceil((length * 4) / 3) ? v : undefined;
};

/** Leaf types by name (the name is what an issue says was expected): the clean value, or undefined. */
const TYPES = {
  uuid: (v: unknown) => matching(UUID_RE)(v)?.toLowerCase(),
  date: (v: unknown) => (matching(ISO_RE)(v) && !Number.isNaN(Date.parse(v as string)) ? v : undefined),
  text: (v: unknown) => (typeof v === 'string' && v.trim() && v.length <= MAX_TEXT ? v : undefined),
  kind: (v: unknown) => ((ENTRANCE_KINDS as readonly unknown[]).includes(v) ? v : undefined),
  ble_name: matching(BLE_NAME_RE),
  ticket: bytes(TICKET_LENGTH),
  key: bytes(KEY_LENGTH),
  lock_update: lockUpdate,
  color: matching(COLOR_RE),
  phone: validPhone,
  email: validEmail,
  hours: (v: unknown) => (matching(HOURS_RE)(v) && (v as string).slice(0, 5) !== (v as string).slice(6) ? v : undefined),
  time_zone: (v: unknown) => {
    try {
      // Intl refuses zones it does not know; the pattern refuses offsets and odd spellings.
      return matching(ZONE_RE)(v) && new Intl.DateTimeFormat('en', { timeZone: v as string }) ? v : undefined;
    } catch {
      return undefined;
    }
  },
  https_url: (v: unknown) => {
    try {
      return typeof v === 'string' && new URL(v).protocol === 'https:' ? v : undefined;
    } catch {
      return undefined;
    }
  },
  true: (v: unknown) => (v === true ? v : undefined),
  positive_integer: (v: unknown) => (Number.isInteger(v) && (v as number) > 0 ? v : undefined),
};

/** A leaf type, an object of fields (`name?` for optional, null allowed), or a list of one shape. */
type Rule = keyof typeof TYPES | Shape | [Shape];
interface Shape {
  [field: string]: Rule;
}

const ENTRANCE: Shape = {
  acs_entrance_id: 'uuid',
  display_name: 'text',
  kind: 'kind',
  'floor?': 'text',
  'room_type?': 'text',
  'hours?': 'hours',
  'location?': 'text',
};

const RESPONSE: Shape = {
  ok: 'true',
  instant_key: {
    instant_key_id: 'uuid',
    expires_at: 'date',
    user_identity: { 'display_name?': 'text' },
    // Absent and null both mean "the issuer's defaults": an empty object.
    'customization?': {
      'primary_color?': 'color',
      'secondary_color?': 'color',
      'logo_url?': 'https_url',
      'hotel_name?': 'text',
      'support_phone?': 'phone',
      'support_email?': 'email',
      'accent_color?': 'color',
    },
    'check_in_at?': 'date',
    'check_out_at?': 'date',
    'time_zone?': 'time_zone',
  },
  credentials: [
    {
      credential_id: 'uuid',
      entrance: ENTRANCE,
      lock: { lock_id: 'uuid', ble_name: 'ble_name' },
      starts_at: 'date',
      ends_at: 'date',
      ticket: 'ticket',
      credential_key: 'key',
      ticket_expires_at: 'date',
      // Absent and null both mean "no update for this lock yet".
      'lock_update?': 'lock_update',
    },
  ],
  upcoming: [{ entrance: ENTRANCE, starts_at: 'date', ends_at: 'date' }],
  refresh_after_s: 'positive_integer',
};

type Obj = Record<string, unknown>;

/** Walks `value` against `rule`, collecting every issue in one pass; returns the clean copy. */
function check(value: unknown, rule: Rule, path: string, issues: string[]): unknown {
  const fail = (expected: string): undefined => void issues.push(`${path}: expected ${expected}`);
  if (typeof rule === 'string') return TYPES[rule](value) ?? fail(rule);
  if (Array.isArray(rule)) {
    return Array.isArray(value) ? value.map((item, i) => check(item, rule[0], `${path}[${i}]`, issues)) : fail('a list');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('an object');
  const o = value as Obj;
  const out: Obj = {};
  for (const [field, inner] of Object.entries(rule)) {
    const name = field.replace('?', '');
    let v = o[name];
    if (v == null && name !== field) {
      if (typeof inner === 'string') continue;
      v = {};
    }
    out[name] = check(v, inner, `${path}.${name}`, issues);
  }
  for (const [start, end] of [['starts_at', 'ends_at'], ['check_in_at', 'check_out_at']]) {
    const [a, b] = [out[start!], out[end!]];
    if (typeof a === 'string' && typeof b === 'string' && Date.parse(b) <= Date.parse(a)) issues.push(`${path}: ${end} must be after ${start}`);
  }
  return out;
}

/**
 * Returns a clean copy of a credentials response, or throws a `CredentialsError` with code
 * `response_invalid` listing every problem found. Idempotent: validating a validated
 * response gives an equal one.
 */
export function validateCredentialsResponse(body: unknown): CredentialsResponse {
  const issues: string[] = [];
  const out = check(body, RESPONSE, '$', issues) as CredentialsResponse | undefined;
  const seen = new Set<string>();
  out?.credentials?.forEach((credential, i) => {
    const id = credential?.credential_id;
    if (id && seen.has(id)) issues.push(`$.credentials[${i}].credential_id: duplicate`);
    seen.add(id);
  });
  if (issues.length) {
    const more = issues.length > 5 ? ` (+${issues.length - 5} more)` : '';
    throw new CredentialsError('response_invalid', `Invalid credentials response: ${issues.slice(0, 5).join('; ')}${more}`, { issues });
  }
  return out!;
}
