import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { documentedOperations } from '../../server-stub/openapi.ts';
import { TestServer } from './helpers.ts';

type Schema = Record<string, any>;

/** The subset of JSON Schema the document uses; returns the problems found. */
function check(schema: Schema, value: unknown, root: Schema, path = '$'): string[] {
  if (schema['$ref']) return check(root['components'].schemas[schema['$ref'].split('/').pop()], value, root, path);
  const types: string[] = schema['type'] === undefined ? [] : [schema['type']].flat();
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${path}: ${actual} is not ${types.join('|')}`];
  if (schema['const'] !== undefined && value !== schema['const']) return [`${path}: not ${schema['const']}`];
  if (schema['enum'] && !schema['enum'].includes(value)) return [`${path}: ${String(value)} not in enum`];
  if (typeof value === 'string') {
    if (schema['pattern'] && !new RegExp(schema['pattern']).test(value)) return [`${path}: does not match ${schema['pattern']}`];
    if (schema['format'] === 'uuid' && !/^[0-9a-f-]{36}$/.test(value)) return [`${path}: not a uuid`];
    if (schema['format'] === 'date-time' && Number.isNaN(Date.parse(value))) return [`${path}: not a date-time`];
  }
  if (actual === 'array' && schema['items']) return (value as unknown[]).flatMap((v, i) => check(schema['items'], v, root, `${path}[${i}]`));
  if (actual === 'object' && schema['properties']) {
    const obj = value as Record<string, unknown>;
    const problems = (schema['required'] ?? []).filter((k: string) => !(k in obj)).map((k: string) => `${path}.${k}: missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema['properties'][k]) problems.push(...check(schema['properties'][k], v, root, `${path}.${k}`));
      else if (schema['additionalProperties'] === false) problems.push(`${path}.${k}: not documented`);
    }
    return problems;
  }
  return [];
}

describe('/openapi.json', () => {
  let t: TestServer;
  let doc: Schema;
  before(async () => {
    t = await TestServer.start();
    doc = (await t.request('GET', '/openapi.json')).body;
  });
  after(() => t.close());

  /** Checks a live answer against the documented 200 schema of `method path`. */
  function conforms(method: string, path: string, body: unknown): void {
    const op = doc['paths'][path]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${path} is documented`);
    const schema = op.responses['200'].content['application/json'].schema;
    assert.deepEqual(check(schema, body, doc), [], `${method} ${path}`);
  }

  test('is served without auth and names this server', async () => {
    assert.equal(doc['openapi'], '3.1.0');
    assert.equal(doc['servers'][0].url, t.url);
  });

  test('documents every API route the server has, and nothing it lacks', async () => {
    const routes = t.server.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .map((line) => /(\/[^\s]*) \(/.exec(line)?.[1])
      .filter((p): p is string => p !== undefined && p !== '/k' && !p.startsWith('/:bundle(')); // pages, not API
    assert.deepEqual(documentedOperations().map((o) => o.path).sort(), routes.sort());
    for (const { path, methods } of documentedOperations()) {
      for (const method of methods) {
        const res = await t.request(method.toUpperCase(), path, { headers: { authorization: 'Bearer seam_test_zSQ8Lgici8FZVXeIy7OBNwNn-g0Hx4SzNrAoXOjtriE' } });
        assert.notEqual(res.status, 405, `${method} ${path}`);
        assert.notEqual(res.status, 404, `${method} ${path}`);
      }
    }
  });

  test('describes the live answers of every operation exactly', async () => {
    const { identity, entrances, grant, key, token } = await t.guest({ key: { customization: { logo_url: 'https://brand.example/l.png' } } });
    await t.guest({ startsIn: 86_400_000 });
    const created = await t.post('/acs/entrances/create', { display_name: 'Spa', kind: 'amenity' });
    conforms('POST', '/acs/entrances/create', created.body);
    conforms('POST', '/user_identities/create', await t.ok('/user_identities/create', { full_name: 'X' }, 'user_identity').then((u) => ({ ok: true, user_identity: u })));
    conforms('POST', '/user_identities/generate_instant_key', { ok: true, instant_key: key });
    conforms('POST', '/access_grants/create', { ok: true, access_grant: grant });
    conforms('POST', '/access_grants/update', (await t.post('/access_grants/update', { access_grant_id: grant.access_grant_id, acs_entrance_ids: [entrances[0].acs_entrance_id] })).body);
    const creds = await t.credentials(token, {}, 'openapi-device');
    conforms('GET', '/instant_keys/credentials', creds.body);
    const reads: [string, Record<string, string>][] = [
      ['/user_identities/get', { user_identity_id: identity.user_identity_id }],
      ['/user_identities/list', {}],
      ['/acs/entrances/list', {}],
      ['/access_grants/get', { access_grant_id: grant.access_grant_id }],
      ['/access_grants/list', {}],
      ['/instant_keys/get', { instant_key_id: key.instant_key_id }],
      ['/instant_keys/list', {}],
      ['/events/list', {}],
    ];
    for (const [path, params] of reads) conforms('GET', path, (await t.query('GET', path, params)).body);
    conforms('DELETE', '/instant_keys/delete', (await t.query('DELETE', '/instant_keys/delete', { instant_key_id: key.instant_key_id })).body);
    const error = await t.post('/access_grants/create', { starts_at: 'x' });
    assert.deepEqual(check({ $ref: '#/components/schemas/Error' }, error.body, doc), []);
  });
});
