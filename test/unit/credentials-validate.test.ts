import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CredentialsError } from '../../src/credentials/errors.ts';
import { validateCredentialsResponse } from '../../src/credentials/validate.ts';
import { bytesOf, responseBody, TOKEN, type ResponseBody } from './support/credentials-fixture.ts';

/** Validates `body` expecting a refusal, and returns the typed error. */
function refusal(body: unknown): CredentialsError {
  try {
    validateCredentialsResponse(body);
  } catch (error) {
    assert.ok(error instanceof CredentialsError, 'a CredentialsError');
    assert.equal(error.code, 'response_invalid');
    return error;
  }
  assert.fail('the response was accepted');
}

function mutated(change: (body: ResponseBody) => void): ResponseBody {
  const body = responseBody();
  change(body);
  return body;
}

describe('validateCredentialsResponse', () => {
  test('accepts the api.md example shape', () => {
    const body = responseBody();
    const parsed = validateCredentialsResponse(body);
    assert.equal(parsed.instant_key.user_identity.display_name, 'Ada Lovelace');
    assert.equal(parsed.credentials.length, 1);
    assert.equal(parsed.credentials[0]!.entrance.display_name, 'Room 412');
    assert.equal(parsed.upcoming[0]!.entrance.kind, 'amenity');
    assert.equal(parsed.refresh_after_s, 300);
  });

  test('is idempotent on its own output', () => {
    const once = validateCredentialsResponse(responseBody());
    assert.deepEqual(validateCredentialsResponse(once), once);
  });

  test('drops unknown fields so nothing unchecked travels on', () => {
    const parsed = validateCredentialsResponse(
      mutated((b) => {
        (b as unknown as Record<string, unknown>).extra = 1;
        b.credentials[0]!.debug = 'x';
      }),
    );
    assert.ok(!('extra' in parsed));
    assert.ok(!('debug' in parsed.credentials[0]!));
  });

  test('normalizes UUIDs to lower case, as the lock reports them', () => {
    const parsed = validateCredentialsResponse(
      mutated((b) => (b.credentials[0]!.lock.lock_id = '3FA2C1D4-5E6F-4A7B-8C9D-0E1F2A3B4C5D')),
    );
    assert.equal(parsed.credentials[0]!.lock.lock_id, '3fa2c1d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
  });

  test('accepts null and absent customization fields as defaults', () => {
    const parsed = validateCredentialsResponse(
      mutated((b) => {
        b.instant_key.customization = { primary_color: null };
      }),
    );
    assert.deepEqual(parsed.instant_key.customization, {});
  });

  test('accepts an empty credential list', () => {
    assert.deepEqual(validateCredentialsResponse(mutated((b) => (b.credentials = []))).credentials, []);
  });

  const malformed: Array<[string, string, (b: ResponseBody) => void]> = [
    ['a body that is not an object', '$', () => {}],
    ['ok other than true', '$.ok', (b) => (b.ok = 'yes')],
    ['a missing instant_key', '$.instant_key', (b) => delete (b as Partial<ResponseBody>).instant_key],
    ['a non-UUID instant_key_id', '$.instant_key.instant_key_id', (b) => (b.instant_key.instant_key_id = 'key-1')],
    ['a non-ISO expires_at', '$.instant_key.expires_at', (b) => (b.instant_key.expires_at = '24/12/2026')],
    ['an impossible date', '$.instant_key.expires_at', (b) => (b.instant_key.expires_at = '2026-13-45T99:00:00Z')],
    ['an empty display name', '$.instant_key.user_identity.display_name', (b) => (b.instant_key.user_identity.display_name = ' ')],
    ['a colour that is not #rrggbb', '$.instant_key.customization.primary_color', (b) => (b.instant_key.customization.primary_color = 'red;}')],
    ['a logo that is not https', '$.instant_key.customization.logo_url', (b) => (b.instant_key.customization.logo_url = 'javascript:alert(1)')],
    ['credentials that are not a list', '$.credentials', (b) => ((b as unknown as Record<string, unknown>).credentials = {})],
    ['a non-UUID credential_id', '$.credentials[0].credential_id', (b) => (b.credentials[0]!.credential_id = 42)],
    ['a non-UUID acs_entrance_id', '$.credentials[0].entrance.acs_entrance_id', (b) => (b.credentials[0]!.entrance.acs_entrance_id = 'x')],
    ['an unknown entrance kind', '$.credentials[0].entrance.kind', (b) => (b.credentials[0]!.entrance.kind = 'garage')],
    ['a missing entrance name', '$.credentials[0].entrance.display_name', (b) => delete b.credentials[0]!.entrance.display_name],
    ['a non-UUID lock_id', '$.credentials[0].lock.lock_id', (b) => (b.credentials[0]!.lock.lock_id = '3fa2c1')],
    ['a ble_name over 29 characters', '$.credentials[0].lock.ble_name', (b) => (b.credentials[0]!.lock.ble_name = 'IK-'.padEnd(30, 'A'))],
    ['a ticket of 113 bytes', '$.credentials[0].ticket', (b) => (b.credentials[0]!.ticket = bytesOf(113))],
    ['a ticket of 115 bytes', '$.credentials[0].ticket', (b) => (b.credentials[0]!.ticket = bytesOf(115))],
    ['a ticket in padded standard base64', '$.credentials[0].ticket', (b) => (b.credentials[0]!.ticket = 'AQ+/AQ==')],
    ['a credential_key of 31 bytes', '$.credentials[0].credential_key', (b) => (b.credentials[0]!.credential_key = bytesOf(31))],
    ['a numeric credential_key', '$.credentials[0].credential_key', (b) => (b.credentials[0]!.credential_key = 12345)],
    ['a non-ISO starts_at', '$.credentials[0].starts_at', (b) => (b.credentials[0]!.starts_at = 'tomorrow')],
    ['ends_at before starts_at', '$.credentials[0]', (b) => (b.credentials[0]!.ends_at = '2026-11-01T00:00:00Z')],
    ['a missing ticket_expires_at', '$.credentials[0].ticket_expires_at', (b) => delete b.credentials[0]!.ticket_expires_at],
    ['a duplicate credential_id', '$.credentials[1].credential_id', (b) => b.credentials.push(structuredClone(b.credentials[0]!))],
    ['upcoming that is missing', '$.upcoming', (b) => delete (b as Partial<ResponseBody>).upcoming],
    ['an upcoming entrance with a bad kind', '$.upcoming[0].entrance.kind', (b) => (b.upcoming[0]!.entrance.kind = 1)],
    ['a fractional refresh_after_s', '$.refresh_after_s', (b) => (b.refresh_after_s = 1.5)],
    ['a zero refresh_after_s', '$.refresh_after_s', (b) => (b.refresh_after_s = 0)],
  ];

  for (const [what, path, change] of malformed) {
    test(`refuses ${what}, naming ${path}`, () => {
      const body = what === 'a body that is not an object' ? [responseBody()] : mutated(change);
      const error = refusal(body);
      assert.ok(
        error.issues.some((issue) => issue.startsWith(`${path}:`)),
        `issues ${JSON.stringify(error.issues)} name ${path}`,
      );
    });
  }

  test('lists every problem at once', () => {
    const error = refusal(
      mutated((b) => {
        b.credentials[0]!.ticket = bytesOf(10);
        b.credentials[0]!.credential_key = bytesOf(10);
        b.refresh_after_s = -1;
      }),
    );
    assert.equal(error.issues.length, 3);
  });

  test('never echoes values: not the token, not the ticket, not the key', () => {
    const ticket = bytesOf(113, 9);
    const key = bytesOf(31, 8);
    const error = refusal(
      mutated((b) => {
        b.instant_key.user_identity.display_name = TOKEN.repeat(10); // too long, and secret-looking
        b.credentials[0]!.ticket = ticket;
        b.credentials[0]!.credential_key = key;
        b.credentials[0]!.lock.lock_id = TOKEN;
      }),
    );
    const text = [error.message, ...error.issues].join('\n');
    for (const secret of [TOKEN, ticket, key]) assert.ok(!text.includes(secret), 'a secret leaked into the error');
  });

  describe('issuer, stay and entrance details (all optional)', () => {
    const withDetails = () =>
      mutated((b) => {
        Object.assign(b.instant_key.customization, {
          hotel_name: 'Hotel Aurora',
          support_phone: '+15555550100',
          support_email: 'desk@aurora.example',
          accent_color: '#AA3300',
        });
        Object.assign(b.instant_key, { check_in_at: '2026-11-24T15:00:00Z', check_out_at: '2026-11-27T11:00:00Z', time_zone: 'Europe/Lisbon' });
        Object.assign(b.credentials[0]!.entrance, { floor: '4', room_type: 'Deluxe king' });
        Object.assign(b.upcoming[0]!.entrance, { hours: '07:00-22:00', location: 'Level 2, east wing' });
      });

    test('keeps them when valid', () => {
      const parsed = validateCredentialsResponse(withDetails());
      assert.deepEqual(parsed.instant_key.customization, {
        primary_color: '#1d3557',
        secondary_color: '#f1faee',
        logo_url: 'https://hotel.example/logo.svg',
        hotel_name: 'Hotel Aurora',
        support_phone: '+15555550100',
        support_email: 'desk@aurora.example',
        accent_color: '#AA3300',
      });
      assert.equal(parsed.instant_key.time_zone, 'Europe/Lisbon');
      assert.equal(parsed.instant_key.check_in_at, '2026-11-24T15:00:00Z');
      assert.equal(parsed.credentials[0]!.entrance.room_type, 'Deluxe king');
      assert.equal(parsed.upcoming[0]!.entrance.hours, '07:00-22:00');
      assert.deepEqual(validateCredentialsResponse(parsed), parsed, 'idempotent');
    });

    test('accepts an answer without any of them, as older servers send', () => {
      const parsed = validateCredentialsResponse(responseBody());
      for (const field of ['check_in_at', 'check_out_at', 'time_zone']) assert.ok(!(field in parsed.instant_key), field);
      assert.ok(!('floor' in parsed.credentials[0]!.entrance));
    });

    test('accepts overnight hours and a 24:00 close', () => {
      for (const hours of ['22:00-02:00', '00:00-24:00']) {
        const parsed = validateCredentialsResponse(mutated((b) => (b.credentials[0]!.entrance.hours = hours)));
        assert.equal(parsed.credentials[0]!.entrance.hours, hours);
      }
    });

    const bad: [string, (b: ResponseBody) => void, string][] = [
      ['a phone number that is not E.164', (b) => (b.instant_key.customization.support_phone = '555-0100'), '$.instant_key.customization.support_phone'],
      ['a javascript: "email"', (b) => (b.instant_key.customization.support_email = 'javascript:alert(1)'), '$.instant_key.customization.support_email'],
      ['an accent colour that could escape CSS', (b) => (b.instant_key.customization.accent_color = 'red;}'), '$.instant_key.customization.accent_color'],
      ['an empty hotel name', (b) => (b.instant_key.customization.hotel_name = ' '), '$.instant_key.customization.hotel_name'],
      ['an unknown time zone', (b) => (b.instant_key.time_zone = 'Mars/Olympus'), '$.instant_key.time_zone'],
      ['an offset instead of a zone', (b) => (b.instant_key.time_zone = '+01:00'), '$.instant_key.time_zone'],
      ['a check-in that is not a date', (b) => (b.instant_key.check_in_at = 'tomorrow'), '$.instant_key.check_in_at'],
      ['a check-out before check-in', (b) => Object.assign(b.instant_key, { check_in_at: '2026-11-27T11:00:00Z', check_out_at: '2026-11-24T15:00:00Z' }), '$.instant_key: check_out_at'],
      ['hours past midnight', (b) => (b.credentials[0]!.entrance.hours = '07:00-25:00'), '$.credentials[0].entrance.hours'],
      ['hours that open and close at once', (b) => (b.credentials[0]!.entrance.hours = '07:00-07:00'), '$.credentials[0].entrance.hours'],
      ['a floor that is not text', (b) => (b.credentials[0]!.entrance.floor = 4), '$.credentials[0].entrance.floor'],
      ['an overlong location', (b) => (b.upcoming[0]!.entrance.location = 'x'.repeat(201)), '$.upcoming[0].entrance.location'],
    ];
    for (const [what, change, path] of bad) {
      test(`refuses ${what}, naming ${path}`, () => {
        const error = refusal(mutated(change));
        assert.ok(error.issues.some((issue) => issue.startsWith(path)), error.issues.join('; '));
      });
    }
  });
});
