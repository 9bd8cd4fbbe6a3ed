// What a saved key offers without a fresh answer: only tickets with time left, until when,
// a warning before the first runs out, and "renew" once none is left.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { CredentialsResponse } from '../../src/credentials/types.ts';
import { validateCredentialsResponse } from '../../src/credentials/validate.ts';
import { EXPIRY_WARNING_MS, hasTimeLeft, ticketWindow } from '../../src/state/offline.ts';
import { responseBody } from './support/credentials-fixture.ts';

const ROOM_TICKET_END = Date.parse('2026-11-24T16:00:00Z');
const POOL_TICKET_END = Date.parse('2026-11-24T17:00:00Z');

/** Room 412 (ticket until 16:00) and the Pool (ticket until 17:00). */
function twoDoors(): CredentialsResponse {
  const body = responseBody();
  const room = body.credentials[0]!;
  body.credentials.push({
    ...room,
    credential_id: '8f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a7b',
    entrance: { acs_entrance_id: 'e0ffee00-1111-4222-8333-444455556666', display_name: 'Pool', kind: 'amenity' },
    ticket_expires_at: '2026-11-24T17:00:00Z',
  });
  return validateCredentialsResponse(body);
}

const names = (data: { usable: { entrance: { display_name: string } }[] }) => data.usable.map((c) => c.entrance.display_name);

describe('ticketWindow', () => {
  test('with time on every ticket, all doors are offered until the first ticket ends', () => {
    const now = ROOM_TICKET_END - 2 * EXPIRY_WARNING_MS;
    const window = ticketWindow(twoDoors(), now);
    assert.equal(window.phase, 'valid');
    assert.deepEqual(names(window), ['Room 412', 'Pool']);
    assert.equal(window.until, ROOM_TICKET_END);
    assert.equal(window.nextChange, ROOM_TICKET_END - EXPIRY_WARNING_MS, 'the next change is the warning');
  });

  test('shortly before the first ticket ends, the guest is warned', () => {
    const window = ticketWindow(twoDoors(), ROOM_TICKET_END - 60_000);
    assert.equal(window.phase, 'ending');
    assert.equal(window.nextChange, ROOM_TICKET_END);
  });

  test('a door whose ticket ran out is no longer offered; the others still are', () => {
    const window = ticketWindow(twoDoors(), ROOM_TICKET_END);
    assert.deepEqual(names(window), ['Pool'], 'never at or past ticket_expires_at');
    assert.equal(window.until, POOL_TICKET_END);
  });

  test('with no ticket left, only a connection renews the key', () => {
    const window = ticketWindow(twoDoors(), POOL_TICKET_END + 1);
    assert.deepEqual(window, { phase: 'renew', usable: [] });
  });

  test('an access window that ended takes the door away even with a ticket left', () => {
    const body = responseBody();
    body.credentials[0]!.ends_at = '2026-11-24T15:30:00Z';
    const data = validateCredentialsResponse(body);
    assert.equal(hasTimeLeft(data.credentials[0]!, Date.parse('2026-11-24T15:30:00Z')), false);
    assert.equal(ticketWindow(data, Date.parse('2026-11-24T15:00:00Z')).until, Date.parse('2026-11-24T15:30:00Z'));
  });

  test('whatever the clock, an offered ticket has time left and nothing offered outlives "until"', () => {
    const data = twoDoors();
    fc.assert(
      fc.property(fc.integer({ min: ROOM_TICKET_END - 4 * 3_600_000, max: POOL_TICKET_END + 3_600_000 }), (now) => {
        const window = ticketWindow(data, now);
        for (const c of window.usable) assert.ok(Date.parse(c.ticket_expires_at) > now);
        if (window.phase === 'renew') return window.usable.length === 0 && window.until === undefined;
        return window.until! > now && window.nextChange! > now && window.nextChange! <= window.until!;
      }),
    );
  });
});
