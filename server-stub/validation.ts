import { base64urlToBytes } from '../src/protocol/bytes.ts';
import { invalidInput, type ValidationErrors } from './errors.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164_RE = /^\+[1-9]\d{1,14}$/;
const COLOR_RE = /^#[0-9a-fA-F]{6}$/;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
/**
 * Control and format characters (Unicode Cc, Cf): bidi overrides and isolates (U+202A-202E,
 * U+2066-2069), marks, zero-width spaces, BOM. A name holding them can display as another
 * name. ZWNJ and ZWJ (U+200C, U+200D) stay allowed: Persian and Indic spelling and emoji
 * sequences need them, and they reorder nothing.
 */
const FORMAT_RE = /(?![\u200c\u200d])\p{Cf}/u;
const CONTROL_RE = /\p{Cc}/u;
/** `HH:MM-HH:MM` on a 24-hour clock; the end may be `24:00`, or before the start (overnight). */
const HOURS_RE = /^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const TIME_ZONE_RE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
/** Sent by the Seam SDK with every query; it asks for the strictness this server always has. */
const IGNORED = new Set(['_strict']);

/**
 * Reads and checks one request's parameters, collecting every problem so that the client
 * gets them all at once as Seam-shaped `validation_errors`. Absent and `null` are the same.
 */
export class Input {
  private readonly errors: ValidationErrors = { _errors: [] };
  private count = 0;
  /** Fields this input has read, so that {@link done} can name the ones it never did. */
  private readonly read = new Set<string>();
  /** Every nested input, checked for unread fields by the root. */
  private readonly children: Input[] = [];

  /**
   * @param raw the parameters: a JSON body, or query parameters when `query` is set (then an
   *   empty value, as the Seam SDK sends `null` and `[]`, counts as absent).
   */
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly options: { query?: boolean } = {},
    private readonly path: string[] = [],
    private readonly root?: Input,
  ) {
    root?.children.push(this);
  }

  /** Records a problem with `field` (or with the whole input when `field` is omitted). */
  fail(field: string | undefined, message: string): void {
    if (this.root) return this.root.failAt([...this.path, ...(field === undefined ? [] : [field])], message);
    this.failAt(field === undefined ? [] : [field], message);
  }

  private failAt(path: string[], message: string): void {
    let node = this.errors;
    for (const [depth, key] of path.entries()) {
      // A field named `_errors` cannot have a node of its own: its problem is told one level up.
      if (key === '_errors') {
        node._errors.push(`${path.slice(depth).join('.')}: ${message}`);
        this.count++;
        return;
      }
      // Own properties only, defined rather than assigned: a client's field may be named
      // `valueOf`, `constructor` or `__proto__`.
      let next = Object.hasOwn(node, key) ? node[key] : undefined;
      if (!next || Array.isArray(next)) {
        next = { _errors: [] };
        Object.defineProperty(node, key, { value: next, enumerable: true, writable: true, configurable: true });
      }
      node = next;
    }
    node._errors.push(message);
    this.count++;
  }

  private value(field: string): unknown {
    this.read.add(field);
    const v = Object.hasOwn(this.raw, field) ? this.raw[field] : undefined;
    return v === null || (this.options.query && v === '') ? undefined : v;
  }

  /** Whether the client sent `field` (non-null). */
  has(field: string): boolean {
    return this.value(field) !== undefined;
  }

  /** Whether the client sent `field` as an explicit `null` (in a query: an empty value). */
  isNull(field: string): boolean {
    this.read.add(field);
    const v = this.raw[field];
    return Object.hasOwn(this.raw, field) && (v === null || (this.options.query === true && v === ''));
  }

  /**
   * Parameters Seam documents for this route that this server does not implement: refused
   * by name when sent, rather than silently ignored.
   */
  unsupported(fields: readonly string[]): void {
    for (const field of fields) {
      if (this.value(field) !== undefined) this.fail(field, 'Not supported by this server');
    }
  }

  /** A trimmed string of 1-`max` characters. */
  string(field: string, opts: { required: true; max?: number }): string;
  string(field: string, opts?: { required?: false; max?: number }): string | undefined;
  string(field: string, opts: { required?: boolean; max?: number } = {}): string | undefined {
    const v = this.value(field);
    if (v === undefined) {
      if (opts.required) this.fail(field, 'Required');
      return undefined;
    }
    if (typeof v !== 'string') return this.fail(field, 'Expected a string'), undefined;
    const s = v.trim();
    if (s.length === 0) return this.fail(field, 'Must not be empty'), undefined;
    if (s.length > (opts.max ?? 255)) return this.fail(field, `At most ${opts.max ?? 255} characters`), undefined;
    // Format characters anywhere, even where trim() would drop them (a BOM); controls inside.
    if (FORMAT_RE.test(v) || CONTROL_RE.test(s)) return this.fail(field, 'Must not contain control or format characters (such as bidi controls)'), undefined;
    return s;
  }

  /** A list of 1-`max` distinct strings (a single query value counts as one). */
  stringList(field: string, opts: { max: number; maxLength?: number }): string[] | undefined {
    let v = this.value(field);
    if (v === undefined) return undefined;
    if (typeof v === 'string') v = [v];
    if (!Array.isArray(v) || v.length === 0) return this.fail(field, 'Expected a non-empty array of strings'), undefined;
    if (v.length > opts.max) return this.fail(field, `At most ${opts.max} items`), undefined;
    const items = v.map((item, i) => new Input({ [i]: item }, this.options, [...this.path, field], this.root ?? this).string(String(i), { required: true, max: opts.maxLength ?? 255 }));
    return items.every((item) => item !== undefined) ? [...new Set(items)] : undefined;
  }

  /** A UUID, returned lower-case. */
  uuid(field: string, opts: { required: true }): string;
  uuid(field: string, opts?: { required?: false }): string | undefined;
  uuid(field: string, opts: { required?: boolean } = {}): string | undefined {
    const s = opts.required ? this.string(field, { required: true }) : this.string(field);
    if (s === undefined) return undefined;
    if (!UUID_RE.test(s)) return this.fail(field, 'Invalid uuid'), undefined;
    return s.toLowerCase();
  }

  /** A non-empty list of distinct UUIDs (a single string from a query counts as one), at most `max` (100). */
  uuidList(field: string, opts: { required: true; max?: number }): string[];
  uuidList(field: string, opts?: { required?: false; max?: number }): string[] | undefined;
  uuidList(field: string, opts: { required?: boolean; max?: number } = {}): string[] | undefined {
    let v = this.value(field);
    if (v === undefined) {
      if (opts.required) this.fail(field, 'Required');
      return undefined;
    }
    if (typeof v === 'string') v = [v];
    const max = opts.max ?? 100;
    if (!Array.isArray(v)) return this.fail(field, 'Expected an array of uuids'), undefined;
    if (v.length === 0) return this.fail(field, 'At least one id is required'), undefined;
    if (v.length > max) return this.fail(field, `At most ${max} ids`), undefined;
    const ids: string[] = [];
    v.forEach((item, i) => {
      if (typeof item !== 'string' || !UUID_RE.test(item)) this.fail(field, `Item ${i} is not a uuid`);
      else ids.push(item.toLowerCase());
    });
    if (ids.length !== v.length) return undefined;
    if (new Set(ids).size !== ids.length) return this.fail(field, 'Ids must be distinct'), undefined;
    return ids;
  }

  /** An email address, returned as given (trimmed). */
  email(field: string): string | undefined {
    const s = this.string(field, { max: 254 });
    if (s !== undefined && !EMAIL_RE.test(s)) return this.fail(field, 'Invalid email'), undefined;
    return s;
  }

  /** A phone number in E.164 (`+` and up to 15 digits). */
  phone(field: string): string | undefined {
    const s = this.string(field, { max: 16 });
    if (s !== undefined && !E164_RE.test(s)) return this.fail(field, 'Must be an E.164 phone number, such as +15555550100'), undefined;
    return s;
  }

  /** An ISO 8601 date-time with a time zone, as milliseconds since the epoch. */
  time(field: string, opts: { required: true }): number;
  time(field: string, opts?: { required?: false }): number | undefined;
  time(field: string, opts: { required?: boolean } = {}): number | undefined {
    const s = opts.required ? this.string(field, { required: true }) : this.string(field);
    if (s === undefined) return undefined;
    const ms = parseIsoTime(s);
    if (ms === undefined) return this.fail(field, 'Must be an ISO 8601 date-time with a time zone'), undefined;
    return ms;
  }

  /** An IANA time zone (`Europe/Lisbon`, `UTC`), returned in its canonical spelling. */
  timeZone(field: string): string | undefined {
    const s = this.string(field, { max: 64 });
    if (s === undefined) return undefined;
    const zone = TIME_ZONE_RE.test(s) ? canonicalTimeZone(s) : undefined;
    if (zone === undefined) return this.fail(field, 'Must be an IANA time zone, such as Europe/Lisbon'), undefined;
    return zone;
  }

  /** Daily opening hours as `HH:MM-HH:MM` (24-hour clock; `22:00-02:00` runs overnight). */
  hours(field: string): string | undefined {
    const s = this.string(field, { max: 11 });
    if (s === undefined) return undefined;
    const m = HOURS_RE.exec(s);
    if (!m || s.slice(0, 5) === s.slice(6)) return this.fail(field, 'Must be opening hours as HH:MM-HH:MM, such as 07:00-22:00'), undefined;
    return s;
  }

  /** An integer in `[min, max]`; digit strings (query parameters) are coerced. */
  integer(field: string, opts: { min: number; max: number }): number | undefined {
    const v = this.value(field);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) return this.fail(field, 'Expected an integer'), undefined;
    if (n < opts.min || n > opts.max) return this.fail(field, `Must be between ${opts.min} and ${opts.max}`), undefined;
    return n;
  }

  /** One of `values`. */
  oneOf<T extends string>(field: string, values: readonly T[], opts: { required: true }): T;
  oneOf<T extends string>(field: string, values: readonly T[], opts?: { required?: false }): T | undefined;
  oneOf<T extends string>(field: string, values: readonly T[], opts: { required?: boolean } = {}): T | undefined {
    const s = opts.required ? this.string(field, { required: true }) : this.string(field);
    if (s === undefined) return undefined;
    if (!(values as readonly string[]).includes(s)) return this.fail(field, `Must be one of: ${values.join(', ')}`), undefined;
    return s as T;
  }

  /** A `#rrggbb` color, returned lower-case. */
  color(field: string): string | undefined {
    const s = this.string(field);
    if (s !== undefined && !COLOR_RE.test(s)) return this.fail(field, 'Must be a color as #rrggbb'), undefined;
    return s?.toLowerCase();
  }

  /** An absolute https URL. */
  httpsUrl(field: string): string | undefined {
    const s = this.string(field, { max: 2048 });
    if (s === undefined) return undefined;
    try {
      const url = new URL(s);
      if (url.protocol === 'https:' && !url.username && !url.password) return url.href;
    } catch {
      // falls through to the error below
    }
    return this.fail(field, 'Must be an https URL'), undefined;
  }

  /** Base64url (unpadded) of exactly `length` bytes. */
  base64urlBytes(field: string, length: number): Uint8Array | undefined {
    const s = this.string(field, { max: 1024 });
    if (s === undefined) return undefined;
    try {
      const bytes = base64urlToBytes(s);
      if (bytes.length === length) return bytes;
    } catch {
      // falls through to the error below
    }
    return this.fail(field, `Must be ${length} bytes as unpadded base64url`), undefined;
  }

  /** A nested object read with its own {@link Input}; errors land under `field`. */
  object(field: string): Input | undefined {
    const v = this.value(field);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(field, 'Expected an object'), undefined;
    return new Input(v as Record<string, unknown>, {}, [...this.path, field], this.root ?? this);
  }

  /** An array of objects, each read with its own {@link Input}. */
  objectList(field: string, opts: { required: boolean }): Input[] | undefined {
    const v = this.value(field);
    if (v === undefined) {
      if (opts.required) this.fail(field, 'Required');
      return undefined;
    }
    if (!Array.isArray(v) || v.length === 0) return this.fail(field, 'Expected a non-empty array'), undefined;
    const items: Input[] = [];
    v.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) this.fail(field, `Item ${i} is not an object`);
      else items.push(new Input(item as Record<string, unknown>, {}, [...this.path, field, String(i)], this.root ?? this));
    });
    return items.length === v.length ? items : undefined;
  }

  /**
   * Throws 400 `invalid_input` listing every problem found so far, and every parameter sent
   * that nothing read: a misspelt or unsupported parameter is refused, never ignored.
   */
  done(): void {
    if (this.root) return this.root.done();
    for (const input of [this, ...this.children]) {
      for (const field of Object.keys(input.raw)) {
        if (!input.read.has(field) && !(input === this && IGNORED.has(field))) input.fail(field, 'Unknown parameter');
      }
    }
    if (this.count === 0) return;
    throw invalidInput(`Invalid input: ${firstProblem(this.errors)}`, this.errors);
  }
}

/** `zone`'s canonical IANA name, or `undefined` when Intl does not know it. */
function canonicalTimeZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Parses a strict ISO 8601 date-time with zone; `undefined` for anything else or impossible dates. */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, zh, zm] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(y), month, 0)).getUTCDate()) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59 || Number(zh ?? 0) > 23 || Number(zm ?? 0) > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

function firstProblem(node: ValidationErrors, path: string[] = []): string {
  if (node._errors.length > 0) return path.length ? `${path.join('.')}: ${node._errors[0]}` : node._errors[0]!;
  for (const [key, child] of Object.entries(node)) {
    if (key === '_errors' || Array.isArray(child)) continue;
    const found = firstProblem(child, [...path, key]);
    if (found) return found;
  }
  return '';
}
