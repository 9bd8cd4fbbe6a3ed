import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyCache } from '../../server-stub/key-cache.ts';
import type { InstantKeyRow } from '../../server-stub/store/instant-keys.ts';
import { sha256 } from '../../server-stub/tokens.ts';

const row = (id: string): InstantKeyRow => ({
  instant_key_id: id,
  user_identity_id: 'identity',
  created_at: 0,
  expires_at: 1,
  max_use_count: null,
  revoked_at: null,
  customization: '{}',
  customization_profile_id: null,
  ticket_ttl_s: null,
  check_in_at: null,
  check_out_at: null,
  time_zone: null,
});

test('loads a key once, and again after the rows are cleared', () => {
  const cache = new KeyCache();
  let loads = 0;
  const load = () => (loads++, row('k1'));
  const hash = sha256('ik_token').toString('base64');
  assert.equal(cache.key(hash, load)?.instant_key_id, 'k1');
  assert.equal(cache.key(hash, load)?.instant_key_id, 'k1');
  assert.equal(loads, 1);
  cache.clearKeys();
  cache.key(hash, load);
  assert.equal(loads, 2);
});

test('does not keep an unknown token', () => {
  const cache = new KeyCache();
  let loads = 0;
  const hash = sha256('ik_unknown').toString('base64');
  cache.key(hash, () => (loads++, undefined));
  cache.key(hash, () => (loads++, undefined));
  assert.equal(loads, 2);
});

test('says a use may admit a device unless its key is cached and the device remembered', () => {
  const cache = new KeyCache();
  const hash = sha256('ik_token').toString('base64');
  assert.equal(cache.mayAdmit(hash, 'phone'), true, 'key not cached');
  cache.key(hash, () => row('k1'));
  assert.equal(cache.mayAdmit(hash, 'phone'), true, 'device not remembered');
  cache.rememberAdmitted('k1', 'phone');
  assert.equal(cache.mayAdmit(hash, 'phone'), false);
  assert.equal(cache.mayAdmit(hash, 'tablet'), true);
  cache.clearKeys();
  assert.equal(cache.mayAdmit(hash, 'phone'), true, 'key no longer cached');
  assert.equal(cache.isAdmitted('k1', 'phone'), true, 'admissions outlive the rows: they never change');
});
