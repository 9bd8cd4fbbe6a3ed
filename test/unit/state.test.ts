import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateCredentialsResponse } from '../../src/credentials/validate.ts';
import {
  adapterChecked,
  createKeyState,
  deriveElementState,
  keyFailed,
  keyLoaded,
  keyLoading,
  keyUnsupported,
  unlockFailed,
  unlockNoticed,
  unlockReset,
  unlockStarted,
  unlockSucceeded,
  type KeyValue,
  type UnlockValue,
} from '../../src/state/index.ts';
import { responseBody } from './support/credentials-fixture.ts';

const loaded = (): KeyValue => ({ status: 'loaded', data: validateCredentialsResponse(responseBody()) });
const idle: UnlockValue = { phase: 'idle' };
const CRED = '7f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a7b';

describe('deriveElementState', () => {
  const cases: Array<[string, KeyValue, UnlockValue, string]> = [
    ['nothing asked yet', { status: 'idle' }, idle, 'loading'],
    ['the first request running', { status: 'loading' }, idle, 'loading'],
    ['no Web Bluetooth', { status: 'unsupported', reason: 'no_bluetooth' }, idle, 'unsupported'],
    ['an expired link', { status: 'failed', code: 'link_expired', message: '' }, idle, 'expired'],
    ['a revoked link', { status: 'failed', code: 'link_revoked', message: '' }, idle, 'revoked'],
    ['an invalid link', { status: 'failed', code: 'link_invalid', message: '' }, idle, 'error'],
    ['a link past its device limit', { status: 'failed', code: 'link_max_use', message: '' }, idle, 'error'],
    ['offline with nothing to show', { status: 'failed', code: 'network_offline', message: '' }, idle, 'error'],
    ['credentials shown', loaded(), idle, 'ready'],
    ['a closed chooser', loaded(), { phase: 'idle', notice: 'ble_cancelled' }, 'ready'],
    ['Bluetooth off', loaded(), { phase: 'idle', notice: 'ble_unavailable' }, 'ready'],
    ['a tap in progress', loaded(), { phase: 'unlocking', credentialId: CRED }, 'unlocking'],
    ['an authenticated OK', loaded(), { phase: 'unlocked', credentialId: CRED }, 'unlocked'],
    ['a jammed lock', loaded(), { phase: 'failed', credentialId: CRED, code: 'lock_jammed', message: '' }, 'error'],
  ];
  for (const [what, key, unlock, state] of cases) {
    test(`is ${state} for ${what}`, () => assert.equal(deriveElementState(key, unlock), state));
  }
});

describe('createKeyState', () => {
  test('gives each element its own stores', () => {
    const a = createKeyState();
    const b = createKeyState();
    keyLoaded(a.$key, validateCredentialsResponse(responseBody()));
    assert.equal(a.$state.get(), 'ready');
    assert.equal(b.$state.get(), 'loading');
  });

  test('walks loading -> ready -> unlocking -> unlocked -> ready', () => {
    const { $key, $unlock, $state } = createKeyState();
    const seen: string[] = [];
    const stop = $state.subscribe((s) => seen.push(s));
    keyLoading($key);
    keyLoaded($key, validateCredentialsResponse(responseBody()));
    assert.equal(unlockStarted($unlock, CRED), true);
    unlockSucceeded($unlock, CRED);
    unlockReset($unlock);
    stop();
    assert.deepEqual(seen, ['loading', 'ready', 'unlocking', 'unlocked', 'ready']);
  });

  test('refuses a second unlock while one runs', () => {
    const { $unlock } = createKeyState();
    assert.equal(unlockStarted($unlock, CRED), true);
    assert.equal(unlockStarted($unlock, 'another'), false);
    assert.deepEqual($unlock.get(), { phase: 'unlocking', credentialId: CRED });
  });

  test('keeps unsupported final, whatever loads later', () => {
    const { $key, $state } = createKeyState();
    keyUnsupported($key, 'insecure_context');
    keyLoading($key);
    keyLoaded($key, validateCredentialsResponse(responseBody()));
    keyFailed($key, 'network_error', '');
    assert.equal($state.get(), 'unsupported');
  });

  test('a failed unlock is an error until dismissed', () => {
    const { $key, $unlock, $state } = createKeyState();
    keyLoaded($key, validateCredentialsResponse(responseBody()));
    unlockStarted($unlock, CRED);
    unlockFailed($unlock, CRED, 'ble_timeout', 'timeout');
    assert.equal($state.get(), 'error');
    unlockReset($unlock);
    assert.equal($state.get(), 'ready');
  });

  test('a quiet notice returns to ready', () => {
    const { $key, $unlock, $state } = createKeyState();
    keyLoaded($key, validateCredentialsResponse(responseBody()));
    unlockStarted($unlock, CRED);
    unlockNoticed($unlock, 'ble_cancelled');
    assert.equal($state.get(), 'ready');
    assert.deepEqual($unlock.get(), { phase: 'idle', notice: 'ble_cancelled' });
  });

  test('the adapter check sets and clears the Bluetooth-off notice only when idle', () => {
    const { $unlock } = createKeyState();
    adapterChecked($unlock, false);
    assert.deepEqual($unlock.get(), { phase: 'idle', notice: 'ble_unavailable' });
    adapterChecked($unlock, true);
    assert.deepEqual($unlock.get(), { phase: 'idle' });
    unlockStarted($unlock, CRED);
    adapterChecked($unlock, false);
    assert.equal($unlock.get().phase, 'unlocking');
  });
});
