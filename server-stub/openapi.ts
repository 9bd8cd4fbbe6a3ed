/**
 * The OpenAPI 3.1 description served at `/openapi.json`. Written by hand from the same
 * field lists the routes use; `test/server/openapi.test.ts` keeps it true by checking every
 * route against it and live answers against its schemas.
 */
import { ENTRANCE_KINDS } from './store/entrances.ts';

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

const entranceSummary = object({ acs_entrance_id: uuid, display_name: str, kind: { type: 'string', enum: [...ENTRANCE_KINDS] } });

const schemas: Record<string, Schema> = {
  Error: object({
    error: object(
      { type: str, message: str, request_id: str, validation_errors: { type: 'object', description: 'Seam/Zod shape: { _errors: [], <field>: { _errors: [...] } }' } },
      ['validation_errors'],
    ),
  }),
  Customization: object({ primary_color: color, secondary_color: color, logo_url: nullable({ type: 'string', format: 'uri' }) }),
  UserIdentity: object({
    user_identity_id: uuid,
    user_identity_key: nullable(str),
    display_name: str,
    full_name: nullable(str),
    email_address: nullable(str),
    phone_number: nullable(str),
    created_at: time,
  }),
  AcsEntrance: object(
    {
      acs_entrance_id: uuid,
      display_name: str,
      kind: { type: 'string', enum: [...ENTRANCE_KINDS] },
      lock: object({ lock_id: uuid, ble_name: str, lock_key: { ...base64url, description: 'Only in the create answer' } }, ['lock_key']),
      created_at: time,
    },
  ),
  AccessGrant: object({
    access_grant_id: uuid,
    user_identity_id: uuid,
    acs_entrance_ids: { type: 'array', items: uuid },
    starts_at: time,
    ends_at: time,
    requested_access_methods: { type: 'array', items: object({ mode: { type: 'string', enum: ['mobile_key'] } }) },
    created_at: time,
    updated_at: time,
  }),
  InstantKey: object({
    instant_key_id: uuid,
    instant_key_url: { ...nullable({ type: 'string', format: 'uri' }), description: 'Only in the generate_instant_key answer' },
    user_identity_id: uuid,
    created_at: time,
    expires_at: time,
    max_use_count: nullable({ type: 'integer', minimum: 1 }),
    use_count: { type: 'integer', minimum: 0 },
    revoked_at: nullable(time),
    customization: ref('Customization'),
  }),
  Event: object(
    {
      event_id: uuid,
      event_type: {
        type: 'string',
        enum: ['instant_key.created', 'instant_key.used', 'instant_key.use_denied', 'instant_key.revoked', 'access_grant.created', 'access_grant.updated', 'access_grant.deleted'],
      },
      occurred_at: time,
      created_at: time,
      instant_key_id: uuid,
      user_identity_id: uuid,
      access_grant_id: uuid,
      device_id: str,
      user_agent: str,
      reason: str,
    },
    ['instant_key_id', 'user_identity_id', 'access_grant_id', 'device_id', 'user_agent', 'reason'],
  ),
  CredentialsResponse: object({
    ok: { type: 'boolean', const: true },
    instant_key: object({
      instant_key_id: uuid,
      expires_at: time,
      user_identity: object({ display_name: nullable(str) }),
      customization: ref('Customization'),
    }),
    credentials: {
      type: 'array',
      items: object({
        credential_id: uuid,
        entrance: entranceSummary,
        lock: object({ lock_id: uuid, ble_name: str }),
        starts_at: time,
        ends_at: time,
        ticket: { ...base64url, description: '114-byte ticket (docs/protocol.md)' },
        credential_key: { ...base64url, description: '32 bytes' },
        ticket_expires_at: time,
        lock_update: nullable({ ...base64url, description: "The lock's latest lock update (docs/protocol.md, Revocation); null while it has none" }),
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
  /** The method the Seam SDK uses besides POST: query parameters, or PATCH with the same body. */
  alsoAs?: 'get' | 'delete' | 'patch';
}

const id = (required = true): Param => ({ schema: uuid, required });
const customizationInput = object({ primary_color: color, secondary_color: color, logo_url: { type: 'string', format: 'uri', pattern: '^https://' } }, [
  'primary_color',
  'secondary_color',
  'logo_url',
]);

const ADMIN: AdminOperation[] = [
  {
    path: '/user_identities/create',
    summary: 'Create a user identity',
    params: {
      full_name: { schema: str },
      email_address: { schema: { type: 'string', format: 'email' } },
      phone_number: { schema: { type: 'string', pattern: '^\\+[1-9]\\d{1,14}$' } },
      user_identity_key: { schema: str },
    },
    answer: ['user_identity', ref('UserIdentity')],
  },
  { path: '/user_identities/get', summary: 'Get a user identity', params: { user_identity_id: id() }, answer: ['user_identity', ref('UserIdentity')], alsoAs: 'get' },
  { path: '/user_identities/list', summary: 'List user identities', params: {}, answer: ['user_identities', { type: 'array', items: ref('UserIdentity') }], alsoAs: 'get' },
  { path: '/user_identities/delete', summary: 'Delete a user identity, its grants, and revoke its keys', params: { user_identity_id: id() }, alsoAs: 'delete' },
  {
    path: '/user_identities/generate_instant_key',
    summary: 'Generate an instant key (the only answer carrying instant_key_url)',
    params: {
      user_identity_id: id(),
      max_use_count: { schema: { type: 'integer', minimum: 1 } },
      expires_at: { schema: time },
      customization: { schema: customizationInput },
    },
    answer: ['instant_key', ref('InstantKey')],
  },
  {
    path: '/acs/entrances/create',
    summary: 'Create an entrance and its lock (lock_key is returned only here)',
    params: {
      display_name: { schema: str, required: true },
      kind: { schema: { type: 'string', enum: [...ENTRANCE_KINDS] }, required: true },
      lock: { schema: object({ ble_name: { type: 'string', maxLength: 29 }, lock_key: base64url }, ['ble_name', 'lock_key']) },
    },
    answer: ['acs_entrance', ref('AcsEntrance')],
  },
  { path: '/acs/entrances/list', summary: 'List entrances', params: {}, answer: ['acs_entrances', { type: 'array', items: ref('AcsEntrance') }], alsoAs: 'get' },
  {
    path: '/access_grants/create',
    summary: 'Grant a user identity access to entrances for a time window',
    params: {
      user_identity_id: id(),
      acs_entrance_ids: { schema: { type: 'array', items: uuid, minItems: 1 }, required: true },
      starts_at: { schema: time, required: true },
      ends_at: { schema: time, required: true },
      requested_access_methods: { schema: { type: 'array', minItems: 1, items: object({ mode: { type: 'string', enum: ['mobile_key'] } }) }, required: true },
    },
    answer: ['access_grant', ref('AccessGrant')],
  },
  {
    path: '/access_grants/update',
    summary: 'Change an access grant',
    params: { access_grant_id: id(), acs_entrance_ids: { schema: { type: 'array', items: uuid, minItems: 1 } }, starts_at: { schema: time }, ends_at: { schema: time } },
    answer: ['access_grant', ref('AccessGrant')],
    alsoAs: 'patch',
  },
  { path: '/access_grants/get', summary: 'Get an access grant', params: { access_grant_id: id() }, answer: ['access_grant', ref('AccessGrant')], alsoAs: 'get' },
  {
    path: '/access_grants/list',
    summary: 'List access grants',
    params: { user_identity_id: id(false), acs_entrance_id: id(false) },
    answer: ['access_grants', { type: 'array', items: ref('AccessGrant') }],
    alsoAs: 'get',
  },
  { path: '/access_grants/delete', summary: 'Delete an access grant', params: { access_grant_id: id() }, alsoAs: 'delete' },
  { path: '/instant_keys/get', summary: 'Get an instant key', params: { instant_key_id: id() }, answer: ['instant_key', ref('InstantKey')], alsoAs: 'get' },
  {
    path: '/instant_keys/list',
    summary: 'List instant keys',
    params: { user_identity_id: id(false) },
    answer: ['instant_keys', { type: 'array', items: ref('InstantKey') }],
    alsoAs: 'get',
  },
  { path: '/instant_keys/delete', summary: 'Revoke an instant key (the record stays)', params: { instant_key_id: id() }, alsoAs: 'delete' },
  {
    path: '/events/list',
    summary: 'List events, oldest first',
    params: { instant_key_id: id(false), user_identity_id: id(false), since: { schema: time }, limit: { schema: { type: 'integer', minimum: 1, maximum: 10000 } } },
    answer: ['events', { type: 'array', items: ref('Event') }],
    alsoAs: 'get',
  },
];

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

function adminPathItem(op: AdminOperation): Record<string, unknown> {
  const body = object(
    Object.fromEntries(Object.entries(op.params).map(([k, p]) => [k, p.schema])),
    Object.entries(op.params).filter(([, p]) => !p.required).map(([k]) => k),
  );
  body['additionalProperties'] = true;
  const ok = {
    description: 'Success',
    content: { 'application/json': { schema: object({ ok: { type: 'boolean', const: true }, ...(op.answer ? { [op.answer[0]]: op.answer[1] } : {}) }) } },
  };
  const responses = { 200: ok, 400: errorResponse('invalid_input'), 401: errorResponse('unauthorized'), 404: errorResponse('<resource>_not_found') };
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
        { name: 'Instant-Key-Device', in: 'header', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._:~-]{1,128}$' } },
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
        401: errorResponse('instant_key_invalid or instant_key_expired'),
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
