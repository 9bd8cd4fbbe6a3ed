import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { documentedOperations } from '../../server-stub/openapi.ts';
import { TestServer } from './helpers.ts';

type Schema = Record<string, any>;

/** A validator over the served document, strict where it says `additionalProperties: false`. */
function validatorFor(doc: Schema): (schema: Schema, value: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'doc');
  return (schema, value) => {
    const validate = ajv.compile({ ...JSON.parse(JSON.stringify(schema).replaceAll('"#/components', '"doc#/components')) });
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}

describe('/openapi.json', () => {
  let t: TestServer;
  let doc: Schema;
  let check: (schema: Schema, value: unknown) => string[];
  before(async () => {
    t = await TestServer.start({ propertyTimeZone: 'America/New_York' });
    doc = (await t.request('GET', '/openapi.json')).body;
    check = validatorFor(doc);
  });
  after(() => t.close());

  /** Checks a live answer against the documented 200 schema of `method path`. */
  function conforms(method: string, path: string, body: unknown): void {
    const op = doc['paths'][path]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${path} is documented`);
    const schema = op.responses['200'].content['application/json'].schema;
    assert.deepEqual(check(schema, body), [], `${method} ${path}`);
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
      .filter((p): p is string => p !== undefined && !/^\/k([.-]|$)/.test(p) && !p.startsWith('/:bundle(')); // the key page and its files, not API
    assert.deepEqual(documentedOperations().map((o) => o.path).sort(), routes.sort());
    for (const { path, methods } of documentedOperations()) {
      for (const method of methods) {
        const res = await t.request(method.toUpperCase(), path, { headers: { authorization: 'Bearer seam_test_0123456789abcdef' } });
        assert.notEqual(res.status, 405, `${method} ${path}`);
        assert.notEqual(res.status, 404, `${method} ${path}`);
      }
    }
  });

  test('documents only parameters the server reads', async () => {
    for (const [path, item] of Object.entries<any>(doc['paths'])) {
      const body = item.post?.requestBody?.content['application/json'].schema;
      if (!body) continue;
      for (const [name, schema] of Object.entries<any>(body.properties)) {
        const type = [schema.type].flat()[0];
        const sample = type === 'array' ? [] : type === 'integer' ? 1 : type === 'object' ? {} : 'x';
        const res = await t.post(path, { [name]: sample });
        assert.ok(!(res.body?.error?.validation_errors?.[name]?._errors ?? []).includes('Unknown parameter'), `${path} ${name}`);
      }
      assert.equal(body.additionalProperties, false, `${path}: what is not listed is refused`);
    }
  });

  test('describes the live answers of every operation exactly', async () => {
    const profile = await t.ok('/workspaces/customization_profiles/create', { name: 'Aurora', hotel_name: 'Hotel Aurora', support_phone: '+15555550100' }, 'customization_profile');
    const { identity, entrances, grant, key, token } = await t.guest({
      key: {
        customization: { logo_url: 'https://brand.example/l.png', accent_color: '#aa3300' },
        customization_profile_id: profile.customization_profile_id,
        check_in_at: new Date(t.clock.ms).toISOString(),
        check_out_at: new Date(t.clock.ms + 86_400_000).toISOString(),
        ticket_ttl_s: 900,
      },
    });
    await t.guest({ startsIn: 86_400_000 });
    const created = await t.post('/acs/entrances/create', { display_name: 'Spa', kind: 'amenity', hours: '07:00-22:00', location: 'Level 2', floor: '2', room_type: 'Spa' });
    conforms('POST', '/acs/entrances/create', created.body);
    conforms('POST', '/workspaces/customization_profiles/create', { ok: true, customization_profile: profile });
    conforms(
      'PATCH',
      '/workspaces/customization_profiles/update',
      (await t.request('PATCH', '/workspaces/customization_profiles/update', { body: { customization_profile_id: profile.customization_profile_id, support_phone: null }, headers: { authorization: 'Bearer seam_test_0123456789abcdef' } })).body,
    );
    conforms('POST', '/access_grants/create', (await t.post('/access_grants/create', {
      user_identity: { full_name: 'Open Ended' },
      acs_entrance_ids: [created.body.acs_entrance.acs_entrance_id],
      requested_access_methods: [{ mode: 'mobile_key', instant_key_max_use_count: 1 }],
    })).body);
    conforms('POST', '/user_identities/create', await t.ok('/user_identities/create', { full_name: 'X' }, 'user_identity').then((u) => ({ ok: true, user_identity: u })));
    conforms('POST', '/user_identities/generate_instant_key', { ok: true, instant_key: key });
    conforms('POST', '/access_grants/create', { ok: true, access_grant: grant });
    conforms('POST', '/access_grants/update', (await t.post('/access_grants/update', { access_grant_id: grant.access_grant_id, acs_entrance_ids: [entrances[0].acs_entrance_id] })).body);
    const creds = await t.credentials(token, {}, 'openapi-device');
    conforms('GET', '/instant_keys/credentials', creds.body);
    assert.equal(creds.body.instant_key.time_zone, 'America/New_York');
    assert.equal(creds.body.instant_key.customization.hotel_name, 'Hotel Aurora');
    const reads: [string, Record<string, string>][] = [
      ['/user_identities/get', { user_identity_id: identity.user_identity_id }],
      ['/user_identities/list', {}],
      ['/acs/entrances/list', {}],
      ['/acs/entrances/get', { acs_entrance_id: created.body.acs_entrance.acs_entrance_id }],
      ['/workspaces/customization_profiles/get', { customization_profile_id: profile.customization_profile_id }],
      ['/workspaces/customization_profiles/list', {}],
      ['/access_grants/get', { access_grant_id: grant.access_grant_id }],
      ['/access_grants/list', {}],
      ['/instant_keys/get', { instant_key_id: key.instant_key_id }],
      ['/instant_keys/list', {}],
      ['/events/list', {}],
    ];
    for (const [path, params] of reads) conforms('GET', path, (await t.query('GET', path, params)).body);
    conforms('DELETE', '/instant_keys/delete', (await t.query('DELETE', '/instant_keys/delete', { instant_key_id: key.instant_key_id })).body);
    assert.notDeepEqual(check({ $ref: '#/components/schemas/UserIdentity' }, { ...identity, surprise: 1 }), [], 'an undocumented field fails');
    const error = await t.post('/access_grants/create', { starts_at: 'x' });
    assert.deepEqual(check({ $ref: '#/components/schemas/Error' }, error.body), []);
  });
});
