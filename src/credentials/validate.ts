import { base64urlToBytes } from '../protocol/bytes.ts';
import { KEY_LENGTH, TICKET_LENGTH } from '../protocol/constants.ts';
import { CredentialsError } from './errors.ts';
import {
  ENTRANCE_KINDS,
  type Credential,
  type CredentialsResponse,
  type Customization,
  type Entrance,
  type EntranceKind,
  type InstantKeySummary,
  type LockRef,
  type UpcomingAccess,
} from './types.ts';

/*
 * Strict validation of the endpoint's JSON (api.md, section 2). Everything the element later
 * trusts (ids used as DOM data, colours put into CSS, byte lengths fed to the IK1 session) is
 * checked here, once. Unknown fields are dropped so that nothing unchecked travels further.
 * Issues name the field and the rule, never the value: the body carries tickets and keys.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const COLOR_RE = /^#[0-9a-f]{6}$/i;
/** api.md, section 4: at most 29 ASCII characters (the BLE local name limit). */
const BLE_NAME_RE = /^[\x20-\x7e]{1,29}$/;
const MAX_TEXT = 200;

type Obj = Record<string, unknown>;

/** Collects issues so one pass reports every problem, not just the first. */
class Checker {
  readonly issues: string[] = [];

  fail(path: string, rule: string): undefined {
    this.issues.push(`${path}: ${rule}`);
    return undefined;
  }

  object(value: unknown, path: string): Obj | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Obj;
    return this.fail(path, 'expected an object');
  }

  array(value: unknown, path: string): unknown[] | undefined {
    return Array.isArray(value) ? value : this.fail(path, 'expected an array');
  }

  text(value: unknown, path: string): string | undefined {
    if (typeof value !== 'string') return this.fail(path, 'expected a string');
    if (value.trim() === '' || value.length > MAX_TEXT) return this.fail(path, `expected 1-${MAX_TEXT} characters`);
    return value;
  }

  uuid(value: unknown, path: string): string | undefined {
    return typeof value === 'string' && UUID_RE.test(value) ? value.toLowerCase() : this.fail(path, 'expected a UUID');
  }

  date(value: unknown, path: string): string | undefined {
    if (typeof value === 'string' && ISO_RE.test(value) && !Number.isNaN(Date.parse(value))) return value;
    return this.fail(path, 'expected an ISO 8601 date-time');
  }

  bytes(value: unknown, path: string, length: number): string | undefined {
    if (typeof value !== 'string') return this.fail(path, 'expected a base64url string');
    let decoded: Uint8Array;
    try {
      decoded = base64urlToBytes(value);
    } catch {
      return this.fail(path, 'expected unpadded base64url');
    }
    if (decoded.length !== length) return this.fail(path, `expected ${length} bytes, got ${decoded.length}`);
    return value;
  }

  kind(value: unknown, path: string): EntranceKind | undefined {
    if ((ENTRANCE_KINDS as readonly unknown[]).includes(value)) return value as EntranceKind;
    return this.fail(path, `expected one of ${ENTRANCE_KINDS.join(', ')}`);
  }

  /** Checks `ends` is after `starts` when both parsed. */
  window(starts: string | undefined, ends: string | undefined, path: string): void {
    if (starts !== undefined && ends !== undefined && Date.parse(ends) <= Date.parse(starts)) {
      this.fail(path, 'ends_at must be after starts_at');
    }
  }
}

function entrance(c: Checker, value: unknown, path: string): Entrance | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  const acs_entrance_id = c.uuid(o.acs_entrance_id, `${path}.acs_entrance_id`);
  const display_name = c.text(o.display_name, `${path}.display_name`);
  const kind = c.kind(o.kind, `${path}.kind`);
  if (acs_entrance_id === undefined || display_name === undefined || kind === undefined) return undefined;
  return { acs_entrance_id, display_name, kind };
}

function lock(c: Checker, value: unknown, path: string): LockRef | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  const lock_id = c.uuid(o.lock_id, `${path}.lock_id`);
  const ble_name =
    typeof o.ble_name === 'string' && BLE_NAME_RE.test(o.ble_name)
      ? o.ble_name
      : c.fail(`${path}.ble_name`, 'expected 1-29 printable ASCII characters');
  if (lock_id === undefined || ble_name === undefined) return undefined;
  return { lock_id, ble_name };
}

function credential(c: Checker, value: unknown, path: string): Credential | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  const before = c.issues.length;
  const out = {
    credential_id: c.uuid(o.credential_id, `${path}.credential_id`),
    entrance: entrance(c, o.entrance, `${path}.entrance`),
    lock: lock(c, o.lock, `${path}.lock`),
    starts_at: c.date(o.starts_at, `${path}.starts_at`),
    ends_at: c.date(o.ends_at, `${path}.ends_at`),
    ticket: c.bytes(o.ticket, `${path}.ticket`, TICKET_LENGTH),
    credential_key: c.bytes(o.credential_key, `${path}.credential_key`, KEY_LENGTH),
    ticket_expires_at: c.date(o.ticket_expires_at, `${path}.ticket_expires_at`),
  };
  c.window(out.starts_at, out.ends_at, path);
  return c.issues.length === before ? (out as Credential) : undefined;
}

function upcoming(c: Checker, value: unknown, path: string): UpcomingAccess | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  const before = c.issues.length;
  const out = {
    entrance: entrance(c, o.entrance, `${path}.entrance`),
    starts_at: c.date(o.starts_at, `${path}.starts_at`),
    ends_at: c.date(o.ends_at, `${path}.ends_at`),
  };
  c.window(out.starts_at, out.ends_at, path);
  return c.issues.length === before ? (out as UpcomingAccess) : undefined;
}

function customization(c: Checker, value: unknown, path: string): Customization {
  const out: Customization = {};
  // Absent and null both mean "the issuer's defaults".
  if (value === undefined || value === null) return out;
  const o = c.object(value, path);
  if (!o) return out;
  for (const key of ['primary_color', 'secondary_color'] as const) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && COLOR_RE.test(v)) out[key] = v;
    else c.fail(`${path}.${key}`, 'expected #rrggbb');
  }
  const logo = o.logo_url;
  if (logo !== undefined && logo !== null) {
    if (typeof logo === 'string' && isHttpsUrl(logo)) out.logo_url = logo;
    else c.fail(`${path}.logo_url`, 'expected an https URL');
  }
  return out;
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function instantKey(c: Checker, value: unknown, path: string): InstantKeySummary | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  const before = c.issues.length;
  const identity = c.object(o.user_identity, `${path}.user_identity`);
  const out = {
    instant_key_id: c.uuid(o.instant_key_id, `${path}.instant_key_id`),
    expires_at: c.date(o.expires_at, `${path}.expires_at`),
    user_identity: identity && { display_name: c.text(identity.display_name, `${path}.user_identity.display_name`) },
    customization: customization(c, o.customization, `${path}.customization`),
  };
  return c.issues.length === before ? (out as InstantKeySummary) : undefined;
}

function list<T>(c: Checker, value: unknown, path: string, item: (c: Checker, v: unknown, p: string) => T | undefined): T[] {
  const items = c.array(value, path) ?? [];
  const out: T[] = [];
  items.forEach((v, i) => {
    const parsed = item(c, v, `${path}[${i}]`);
    if (parsed !== undefined) out.push(parsed);
  });
  return out;
}

/**
 * Returns a clean copy of a credentials response, or throws a `CredentialsError` with code
 * `response_invalid` listing every problem found. Idempotent: validating a validated
 * response gives an equal one.
 */
export function validateCredentialsResponse(body: unknown): CredentialsResponse {
  const c = new Checker();
  const root = c.object(body, '$');
  if (!root) throw invalid(c.issues);
  if (root.ok !== true) c.fail('$.ok', 'expected true');
  const instant_key = instantKey(c, root.instant_key, '$.instant_key');
  const credentials = list(c, root.credentials, '$.credentials', credential);
  const up = list(c, root.upcoming, '$.upcoming', upcoming);
  const refresh = root.refresh_after_s;
  if (typeof refresh !== 'number' || !Number.isInteger(refresh) || refresh < 1) {
    c.fail('$.refresh_after_s', 'expected a positive integer');
  }
  const seen = new Set<string>();
  credentials.forEach((cred, i) => {
    if (seen.has(cred.credential_id)) c.fail(`$.credentials[${i}].credential_id`, 'duplicate');
    seen.add(cred.credential_id);
  });
  if (c.issues.length > 0 || instant_key === undefined) throw invalid(c.issues);
  return { ok: true, instant_key, credentials, upcoming: up, refresh_after_s: refresh as number };
}

function invalid(issues: readonly string[]): CredentialsError {
  const head = issues.slice(0, 5).join('; ');
  const more = issues.length > 5 ? ` (+${issues.length - 5} more)` : '';
  return new CredentialsError('response_invalid', `Invalid credentials response: ${head}${more}`, { issues });
}
