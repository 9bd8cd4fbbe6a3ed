/** The credential response's `lock_update`: validated by length, decoded only for the unlock session. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { base64urlToBytes, bytesToBase64url } from '../../src/protocol/bytes.ts';
import { toUnlockCredential } from '../../src/credentials/unlock-credential.ts';
import { validateCredentialsResponse } from '../../src/credentials/validate.ts';
import { CredentialsError } from '../../src/credentials/errors.ts';
import { responseBody } from './support/credentials-fixture.ts';
import { vectors } from './support/fixtures.ts';

const withUpdate = (lockUpdate: unknown) => {
  const body = responseBody();
  body.credentials[0]!['lock_update'] = lockUpdate;
  return body;
};

describe('a credential’s lock_update', () => {
  const update = bytesToBase64url(Buffer.from(vectors.lock_update, 'hex'));

  test('is kept when it has the length of a lock update, and decoded for the session', () => {
    const clean = validateCredentialsResponse(withUpdate(update));
    assert.equal(clean.credentials[0]!.lock_update, update);
    assert.deepEqual(toUnlockCredential(clean.credentials[0]!).lockUpdate, base64urlToBytes(update));
  });

  test('null or absent means the lock has none', () => {
    for (const body of [withUpdate(null), responseBody()]) {
      const clean = validateCredentialsResponse(body);
      assert.equal('lock_update' in clean.credentials[0]!, false);
      assert.equal(toUnlockCredential(clean.credentials[0]!).lockUpdate, undefined);
    }
  });

  for (const [what, value] of [
    ['60 bytes (one short of the shortest)', bytesToBase64url(new Uint8Array(60))],
    ['62 bytes (not 61 + 16 n)', bytesToBase64url(new Uint8Array(62))],
    ['101 entries', bytesToBase64url(new Uint8Array(61 + 16 * 101))],
    ['not base64url', `${update.slice(0, -4)}+/==`],
    ['a number', 42],
  ] as const) {
    test(`is refused when ${what}`, () => {
      assert.throws(
        () => validateCredentialsResponse(withUpdate(value)),
        (e: unknown) => e instanceof CredentialsError && e.code === 'response_invalid' && /lock_update/.test(e.message),
      );
    });
  }

  test('of a version this phone does not speak is left behind rather than sent', () => {
    const other = Buffer.from(vectors.lock_update, 'hex');
    other[0] = 0x03;
    const clean = validateCredentialsResponse(withUpdate(bytesToBase64url(other)));
    assert.equal(toUnlockCredential(clean.credentials[0]!).lockUpdate, undefined);
  });
});
