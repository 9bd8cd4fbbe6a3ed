/**
 * The OpenAPI 3.1 description served at `/openapi.json`. Written by hand from the same
 * field lists the routes use; `test/server/openapi.test.ts` keeps it true by checking every
 * route against it and live answers against its schemas.
 */
import { EVENT_TYPES } from './events.ts';
import { ENTRANCE_KINDS } from './store/entrances.ts';

const HOURS_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d-(([01]\\d|2[0-3]):[0-5]\\d|24:00)$';

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const nullable = (s: Schema): Schema => ({ ...s, type: [s['type'] as string, 'null'] });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const object = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  additionalProperties: false,
});
const color: Schema = { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' };
const base64url: Schema = { type: 'string', pattern: '^[A-Za-z0-9_-]+$' };

const entranceDetails = {
  floor: { ...str, maxLength: 20, description: 'Short text, such as "4"' },
  room_type: { ...str, maxLength: 60, description: 'Short text, such as "Deluxe king"' },
  hours: { type: 'string', pattern: HOURS_PATTERN, description: "Daily opening hours in the property's time zone, HH:MM-HH:MM (22:00-02:00 runs overnight)" },
  location: { ...str, maxLength: 100, description: 'Short text, such as "Level 2, east wing"' },
};
const DETAIL_KEYS = Object.keys(entranceDetails);
const entranceSummary = object({ acs_entrance_id: uuid, display_name: str, kind: { type: 'string', enum: [...ENTRANCE_KINDS] }, ...entranceDetails }, DETAIL_KEYS);
const empty: Schema = { type: 'array', maxItems: 0 };
const ids: Schema = { type: 'array', items: uuid };
const phone: Schema = { type: 'string', pattern: '^\\+[1-9]\\d{1,14}$' };
const email: Schema = { type: 'string', format: 'email' };
const httpsUri: Schema = { type: 'string', format: 'uri', pattern: '^https://' };
const timeZone: Schema = { type: 'string', description: 'IANA time zone, such as Europe/Lisbon' };
const customizationFields = {
  primary_color: color,
  secondary_color: color,
  logo_url: httpsUri,
  hotel_name: { ...str, maxLength: 100 },
  support_phone: { ...phone, description: 'E.164' },
  support_email: email,
  accent_color: color,
};
const CUSTOMIZATION_OPTIONAL = ['logo_url', 'hotel_name', 'support_phone', 'support_email', 'accent_color'];
const pagination = object({ has_next_page: { type: 'boolean' }, next_page_cursor: nullable(str), next_page_url: nullable({ type: 'string', format: 'uri' }) });

const schemas: Record<string, Schema> = {
  Error: object({
    error: object(
      { type: str, message: str, request_id: str, validation_errors: { type: 'object', description: 'Seam/Zod shape: { _errors: [], <field>: { _errors: [...] } }' } },
      ['validation_errors'],
    ),
  }),
  Customization: { ...object(customizationFields, CUSTOMIZATION_OPTIONAL), description: "The key's own fields over its profile's over the server's brand; absent, never null, when unset" },
  Pagination: pagination,
  UserIdentity: object({
    user_identity_id: uuid,
    user_identity_key: nullable(str),
    display_name: str,
    full_name: nullable(str),
    email_address: nullable(str),
    phone_number: nullable(str),
    acs_user_ids: { ...empty, description: 'Always empty: guests hold instant keys, not access-system users' },
    errors: empty,
    warnings: empty,
    workspace_id: uuid,
    created_at: time,
  }),
  AcsEntrance: object(
    {
      acs_entrance_id: uuid,
      display_name: str,
      kind: { type: 'string', enum: [...ENTRANCE_KINDS] },
      ...entranceDetails,
      acs_system_id: { ...uuid, description: "This server's one access system" },
      connected_account_id: { ...uuid, description: "This server's one connected account" },
      space_ids: empty,
      can_unlock_with_mobile_key: { type: 'boolean', const: true },
      errors: empty,
      warnings: empty,
      lock: object({ lock_id: uuid, ble_name: str, lock_key: { ...base64url, description: 'Only in the create answer' } }, ['lock_key']),
      created_at: time,
    },
    DETAIL_KEYS,
  ),
  AccessGrant: object(
    {
      access_grant_id: uuid,
      access_grant_key: str,
      user_identity_id: uuid,
      display_name: { ...str, description: 'The name, else the names of its doors' },
      name: nullable(str),
      acs_entrance_ids: ids,
      space_ids: empty,
      location_ids: empty,
      access_method_ids: empty,
      starts_at: time,
      ends_at: { ...nullable(time), description: 'null: open-ended' },
      requested_access_methods: {
        type: 'array',
        items: object(
          {
            mode: { type: 'string', enum: ['mobile_key'] },
            display_name: str,
            created_at: time,
            created_access_method_ids: empty,
            instant_key_max_use_count: { type: 'integer', minimum: 1 },
          },
          ['instant_key_max_use_count'],
        ),
      },
      customization_profile_id: uuid,
      pending_mutations: empty,
      errors: empty,
      warnings: empty,
      workspace_id: uuid,
      created_at: time,
      updated_at: time,
      instant_key_url: { type: 'string', format: 'uri', description: 'Only in the create answer, when instant_key_max_use_count issued a key' },
    },
    ['access_grant_key', 'customization_profile_id', 'instant_key_url'],
  ),
  InstantKey: object(
    {
      instant_key_id: uuid,
      instant_key_url: { type: 'string', format: 'uri', description: 'The link with its token only in the generate answer; elsewhere {base}/k (only the hash is kept)' },
      instant_key_url_has_token: { type: 'boolean' },
      client_session_id: { ...uuid, description: 'The key is its own session: a stable id derived from instant_key_id' },
      user_identity_id: uuid,
      workspace_id: uuid,
      created_at: time,
      expires_at: time,
      max_use_count: nullable({ type: 'integer', minimum: 1 }),
      use_count: { type: 'integer', minimum: 0 },
      revoked_at: nullable(time),
      customization: ref('Customization'),
      customization_profile_id: uuid,
      ticket_ttl_s: { ...nullable({ type: 'integer', minimum: 2 }), description: "The issuer's ticket lifetime; null: the server's TICKET_TTL_S" },
      check_in_at: time,
      check_out_at: time,
      time_zone: timeZone,
    },
    ['customization_profile_id', 'check_in_at', 'check_out_at', 'time_zone'],
  ),
  CustomizationProfile: object(
    { customization_profile_id: uuid, name: nullable(str), ...customizationFields, workspace_id: uuid, created_at: time },
    ['primary_color', 'secondary_color', ...CUSTOMIZATION_OPTIONAL],
  ),
  Event: object(
    {
      event_id: uuid,
      event_type: { type: 'string', enum: [...EVENT_TYPES] },
      workspace_id: uuid,
      occurred_at: time,
      created_at: time,
      instant_key_id: uuid,
      user_identity_id: uuid,
      access_grant_id: uuid,
      acs_entrance_id: uuid,
      device_id: { ...str, description: 'The device: SHA-256 JWK thumbprint (RFC 7638) of its DPoP key' },
      device_description: { ...str, description: 'Browser and OS family, e.g. "Chrome on Android" (never the raw User-Agent)' },
      reason: str,
      starts_at: { ...time, description: 'access_times_changed: the new start' },
      ends_at: { ...time, description: 'access_times_changed: the new end (absent: open-ended)' },
    },
    ['instant_key_id', 'user_identity_id', 'access_grant_id', 'acs_entrance_id', 'device_id', 'device_description', 'reason', 'starts_at', 'ends_at'],
  ),
  CredentialsResponse: object({
    ok: { type: 'boolean', const: true },
    instant_key: object(
      {
        instant_key_id: uuid,
        expires_at: time,
        user_identity: object({ display_name: nullable(str) }),
        customization: ref('Customization'),
        check_in_at: time,
        check_out_at: time,
        time_zone: { ...timeZone, description: "The property's IANA time zone (the key's, else PROPERTY_TIME_ZONE)" },
      },
      ['check_in_at', 'check_out_at', 'time_zone'],
    ),
    credentials: {
      type: 'array',
      items: object({
        credential_id: uuid,
        entrance: entranceSummary,
        lock: object({ lock_id: uuid, ble_name: str }),
        starts_at: time,
        ends_at: time,
        ticket: { ...base64url, description: '114-byte IK1 ticket (protocol.md)' },
        credential_key: { ...base64url, description: '32 bytes' },
        ticket_expires_at: time,
      }),
    },
    upcoming: { type: 'array', items: object({ entrance: entranceSummary, starts_at: time, ends_at: time }) },
    refresh_after_s: { type: 'integer', minimum: 1 },
  }),
};

interface Param {
  schema: Schema;
  required?: boolean;
}

interface AdminOperation {
  path: string;
  summary: string;
  params: Record<string, Param>;
  /** Answer key and its schema, or none for delete routes. */
  answer?: [string, Schema];
  /** Whether the answer carries Seam's `pagination`. */
  paginated?: boolean;
  /** The method the Seam SDK uses besides POST: query parameters, or PATCH with the same body. */
  alsoAs?: 'get' | 'delete' | 'patch';
}

const id = (required = true): Param => ({ schema: uuid, required });
const opt = (schema: Schema): Param => ({ schema });
const paging = { limit: opt({ type: 'integer', minimum: 1, maximum: 1000 }), page_cursor: opt(str) };
const customizationInput = object(customizationFields, Object.keys(customizationFields));
const identityFields = { full_name: opt(str), email_address: opt(email), phone_number: opt(phone), user_identity_key: opt(str) };
const list = (of: string): Schema => ({ type: 'array', items: ref(of) });

const ADMIN: AdminOperation[] = [
  {
    path: '/user_identities/create',
    summary: 'Create a user identity (email_address, phone_number and user_identity_key are each unique: 409)',
    params: identityFields,
    answer: ['user_identity', ref('UserIdentity')],
  },
  {
    path: '/user_identities/get',
    summary: 'Get a user identity by user_identity_id or user_identity_key',
    params: { user_identity_id: id(false), user_identity_key: opt(str) },
    answer: ['user_identity', ref('UserIdentity')],
    alsoAs: 'get',
  },
  {
    path: '/user_identities/list',
    summary: 'List user identities, oldest first',
    params: { user_identity_ids: opt(ids), search: opt({ ...str, description: 'Case-insensitive part of the name, email, phone or key' }), created_before: opt(time), ...paging },
    answer: ['user_identities', list('UserIdentity')],
    paginated: true,
    alsoAs: 'get',
  },
  { path: '/user_identities/delete', summary: 'Delete a user identity, its grants, and revoke its keys', params: { user_identity_id: id() }, alsoAs: 'delete' },
  {
    path: '/user_identities/generate_instant_key',
    summary: 'Generate an instant key (the only answer whose instant_key_url carries the token)',
    params: {
      user_identity_id: id(),
      max_use_count: opt({ type: 'integer', minimum: 1 }),
      expires_at: opt(time),
      customization_profile_id: id(false),
      customization: opt(customizationInput),
      ticket_ttl_s: opt({ type: 'integer', minimum: 2, description: "Ticket lifetime (offline window) for this key, at most the server's TICKET_TTL_S" }),
      check_in_at: opt(time),
      check_out_at: opt(time),
      time_zone: opt(timeZone),
    },
    answer: ['instant_key', ref('InstantKey')],
  },
  {
    path: '/acs/entrances/create',
    summary: 'Create an entrance and its lock (lock_key is returned only here)',
    params: {
      display_name: { schema: str, required: true },
      kind: { schema: { type: 'string', enum: [...ENTRANCE_KINDS] }, required: true },
      ...Object.fromEntries(Object.entries(entranceDetails).map(([k, v]) => [k, opt(v)])),
      lock: opt(object({ ble_name: { type: 'string', maxLength: 29 }, lock_key: base64url }, ['ble_name', 'lock_key'])),
    },
    answer: ['acs_entrance', ref('AcsEntrance')],
  },
  { path: '/acs/entrances/get', summary: 'Get an entrance', params: { acs_entrance_id: id() }, answer: ['acs_entrance', ref('AcsEntrance')], alsoAs: 'get' },
  {
    path: '/acs/entrances/list',
    summary: 'List entrances, oldest first',
    params: { acs_entrance_ids: opt(ids), search: opt(str), acs_system_id: id(false), connected_account_id: id(false), ...paging },
    answer: ['acs_entrances', list('AcsEntrance')],
    paginated: true,
    alsoAs: 'get',
  },
  {
    path: '/access_grants/create',
    summary: 'Grant a user identity (given by id, or created inline) access to entrances, from starts_at (default now) until ends_at (absent or null: open-ended)',
    params: {
      user_identity_id: id(false),
      user_identity: opt(object(Object.fromEntries(Object.entries(identityFields).map(([k, p]) => [k, p.schema])), Object.keys(identityFields))),
      acs_entrance_ids: { schema: { ...ids, minItems: 1 }, required: true },
      starts_at: opt(time),
      ends_at: opt(nullable(time)),
      name: opt(str),
      access_grant_key: opt({ ...str, description: 'Unique: 409 when in use' }),
      customization_profile_id: id(false),
      requested_access_methods: {
        schema: {
          type: 'array',
          minItems: 1,
          items: object(
            { mode: { type: 'string', enum: ['mobile_key'] }, instant_key_max_use_count: { type: 'integer', minimum: 1, description: 'Issues an instant key with the grant; its link is in this answer only' } },
            ['instant_key_max_use_count'],
          ),
        },
        required: true,
      },
    },
    answer: ['access_grant', ref('AccessGrant')],
  },
  {
    path: '/access_grants/update',
    summary: 'Change an access grant (named by access_grant_id or access_grant_key)',
    params: { access_grant_id: id(false), access_grant_key: opt(str), acs_entrance_ids: opt({ ...ids, minItems: 1 }), starts_at: opt(time), ends_at: opt(nullable(time)), name: opt(nullable(str)) },
    answer: ['access_grant', ref('AccessGrant')],
    alsoAs: 'patch',
  },
  {
    path: '/access_grants/get',
    summary: 'Get an access grant by access_grant_id or access_grant_key',
    params: { access_grant_id: id(false), access_grant_key: opt(str) },
    answer: ['access_grant', ref('AccessGrant')],
    alsoAs: 'get',
  },
  {
    path: '/access_grants/list',
    summary: 'List access grants, oldest first',
    params: { user_identity_id: id(false), acs_entrance_id: id(false), access_grant_ids: opt(ids), access_grant_key: opt(str), acs_system_id: id(false), ...paging },
    answer: ['access_grants', list('AccessGrant')],
    paginated: true,
    alsoAs: 'get',
  },
  { path: '/access_grants/delete', summary: 'Delete an access grant', params: { access_grant_id: id() }, alsoAs: 'delete' },
  {
    path: '/instant_keys/get',
    summary: 'Get an instant key by instant_key_id, or by instant_key_url (POST only: the link holds the token)',
    params: { instant_key_id: id(false), instant_key_url: opt({ type: 'string', format: 'uri' }) },
    answer: ['instant_key', ref('InstantKey')],
    alsoAs: 'get',
  },
  {
    path: '/instant_keys/list',
    summary: 'List instant keys, oldest first',
    params: { user_identity_id: id(false), ...paging },
    answer: ['instant_keys', list('InstantKey')],
    paginated: true,
    alsoAs: 'get',
  },
  { path: '/instant_keys/delete', summary: 'Revoke an instant key (the record stays)', params: { instant_key_id: id() }, alsoAs: 'delete' },
  {
    path: '/events/list',
    summary: 'List events, oldest first; every given filter must match',
    params: {
      instant_key_id: id(false),
      user_identity_id: id(false),
      access_grant_id: id(false),
      access_grant_ids: opt(ids),
      acs_entrance_id: id(false),
      event_ids: opt(ids),
      event_type: opt({ type: 'string', enum: [...EVENT_TYPES] }),
      event_types: opt({ type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } }),
      since: opt({ ...time, description: 'Inclusive' }),
      between: opt({ type: 'array', items: time, minItems: 2, maxItems: 2, description: '[from, to)' }),
      limit: opt({ type: 'integer', minimum: 1, maximum: 10000 }),
      unstable_offset: opt({ type: 'integer', minimum: 0 }),
      page_cursor: opt(str),
    },
    answer: ['events', list('Event')],
    paginated: true,
    alsoAs: 'get',
  },
  {
    path: '/workspaces/customization_profiles/create',
    summary: "Create a customization profile (keys and grants name it by customization_profile_id)",
    params: { name: opt(str), ...Object.fromEntries(Object.entries(customizationFields).map(([k, v]) => [k, opt(v)])) },
    answer: ['customization_profile', ref('CustomizationProfile')],
  },
  {
    path: '/workspaces/customization_profiles/get',
    summary: 'Get a customization profile',
    params: { customization_profile_id: id() },
    answer: ['customization_profile', ref('CustomizationProfile')],
    alsoAs: 'get',
  },
  { path: '/workspaces/customization_profiles/list', summary: 'List customization profiles', params: {}, answer: ['customization_profiles', list('CustomizationProfile')], alsoAs: 'get' },
  {
    path: '/workspaces/customization_profiles/update',
    summary: "Change a profile (null clears a field back to the server's default); keys using it follow",
    params: { customization_profile_id: id(), name: opt(nullable(str)), ...Object.fromEntries(Object.entries(customizationFields).map(([k, v]) => [k, opt(nullable(v))])) },
    answer: ['customization_profile', ref('CustomizationProfile')],
    alsoAs: 'patch',
  },
];

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

/** Sent by the Seam SDK with every request; accepted and ignored (this server is always strict). */
const STRICT: Param = { schema: { type: ['boolean', 'string'], description: 'Sent by the Seam SDK; ignored: unknown parameters are always refused' } };

function adminPathItem(op: AdminOperation): Record<string, unknown> {
  op = { ...op, params: { ...op.params, _strict: STRICT } };
  const body = object(
    Object.fromEntries(Object.entries(op.params).map(([k, p]) => [k, p.schema])),
    Object.entries(op.params).filter(([, p]) => !p.required).map(([k]) => k),
  );
  // Anything not listed is refused with 400 naming it.
  body['additionalProperties'] = false;
  const ok = {
    description: 'Success',
    content: {
      'application/json': {
        schema: object({ ok: { type: 'boolean', const: true }, ...(op.answer ? { [op.answer[0]]: op.answer[1] } : {}), ...(op.paginated ? { pagination: ref('Pagination') } : {}) }),
      },
    },
  };
  const responses = {
    200: ok,
    400: errorResponse('invalid_input: every problem, each parameter nothing reads ("Unknown parameter") and each Seam parameter this server has not ("Not supported by this server")'),
    401: errorResponse('unauthorized'),
    404: errorResponse('<resource>_not_found'),
    409: errorResponse('<field>_already_in_use'),
  };
  const operationId = op.path.slice(1).replaceAll('/', '_');
  const requestBody = { content: { 'application/json': { schema: body } } };
  const item: Record<string, unknown> = {
    post: { summary: op.summary, operationId, security: [{ apiKey: [] }], requestBody, responses },
  };
  if (op.alsoAs === 'patch') {
    item['patch'] = { summary: op.summary, operationId: `${operationId}_patch`, security: [{ apiKey: [] }], requestBody, responses };
  } else if (op.alsoAs) {
    item[op.alsoAs] = {
      summary: op.summary,
      operationId: `${operationId}_${op.alsoAs}`,
      security: [{ apiKey: [] }],
      parameters: Object.entries(op.params).map(([name, p]) => ({ name, in: 'query', required: p.required ?? false, schema: p.schema })),
      responses,
    };
  }
  return item;
}

/** The paths this document describes, with their methods (lower case), for the test. */
export function documentedOperations(): { path: string; methods: string[] }[] {
  return Object.entries(openApiDocument('http://localhost').paths).map(([path, item]) => ({ path, methods: Object.keys(item as object) }));
}

/** The OpenAPI document for a server whose public base URL is `publicBaseUrl`. */
export function openApiDocument(publicBaseUrl: string): { openapi: string; paths: Record<string, unknown>; [k: string]: unknown } {
  const paths: Record<string, unknown> = Object.fromEntries(ADMIN.map((op) => [op.path, adminPathItem(op)]));
  paths['/instant_keys/credentials'] = {
    get: {
      summary: 'Credentials of an instant key, with freshly minted tickets (what the element calls)',
      operationId: 'instant_keys_credentials',
      security: [{ instantKey: [] }],
      parameters: [
        {
          name: 'DPoP',
          in: 'header',
          required: true,
          description: 'A DPoP proof (RFC 9449) of the device key: ES256, typ dpop+jwt, jwk, htm, htu, iat, jti, ath (and nonce after a challenge); one per request',
          schema: str,
        },
        { name: 'If-None-Match', in: 'header', required: false, schema: str },
      ],
      responses: {
        200: {
          description: 'Credentials (Cache-Control: private, no-store)',
          headers: { ETag: { schema: str } },
          content: { 'application/json': { schema: ref('CredentialsResponse') } },
        },
        304: { description: 'Not modified: keep the current tickets' },
        400: errorResponse('invalid_input (header syntax)'),
        401: {
          ...errorResponse('instant_key_invalid, instant_key_expired; dpop_proof_required, invalid_dpop_proof, dpop_proof_replayed, or use_dpop_nonce (sign again with the DPoP-Nonce header)'),
          headers: { 'WWW-Authenticate': { schema: str }, 'DPoP-Nonce': { schema: str } },
        },
        403: errorResponse('max_use_count_exceeded'),
        410: errorResponse('instant_key_revoked'),
        429: { ...errorResponse('rate_limited'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
      },
    },
  };
  paths['/openapi.json'] = { get: { summary: 'This document', operationId: 'openapi', responses: { 200: { description: 'OpenAPI 3.1' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Instant Key issuance server', version: '0.1.0', description: 'Seam-shaped admin API and the Instant Key credential endpoint (api.md).' },
    servers: [{ url: publicBaseUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Admin API key (seam_…)' },
        instantKey: { type: 'http', scheme: 'bearer', description: 'Instant key token (ik_…), from the URL fragment' },
      },
      schemas,
    },
    paths,
  };
}
