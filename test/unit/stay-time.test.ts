// The stay and opening hours on the property's clock (src/view/time.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { openAt, propertyTime, zoneDiffers } from '../../src/view/time.ts';

describe('propertyTime', () => {
  test('shows the time as the property’s clock does, and names the zone when asked', () => {
    assert.match(propertyTime('2026-12-01T15:00:00Z', 'en-GB', 'Asia/Tokyo', false), /^2 Dec 2026, 00:00$/);
    assert.match(propertyTime('2026-07-01T14:00:00Z', 'en-US', 'Europe/Lisbon', true), /^Jul 1, 2026, 3:00\sPM GMT\+1$/);
  });
  test('gives an empty string for a date that cannot be read', () => {
    assert.equal(propertyTime('soon', 'en', 'UTC', false), '');
  });
});

describe('zoneDiffers', () => {
  test('is false without a zone, or when the clocks agree at those instants', () => {
    const phone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    assert.equal(zoneDiffers(undefined, ['2026-12-01T15:00:00Z']), false);
    assert.equal(zoneDiffers(phone, ['2026-12-01T15:00:00Z']), false);
  });
  test('is true for a zone whose clock shows other times', () => {
    const phone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const other = phone === 'Pacific/Kiritimati' ? 'Pacific/Pago_Pago' : 'Pacific/Kiritimati';
    assert.equal(zoneDiffers(other, ['2026-12-01T15:00:00Z']), true);
  });
});

describe('openAt', () => {
  const at = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00Z`);
  test('is open from the opening minute up to, not including, the closing one', () => {
    assert.equal(openAt('07:00-22:00', at('06:59'), 'UTC'), false);
    assert.equal(openAt('07:00-22:00', at('07:00'), 'UTC'), true);
    assert.equal(openAt('07:00-22:00', at('21:59'), 'UTC'), true);
    assert.equal(openAt('07:00-22:00', at('22:00'), 'UTC'), false);
  });
  test('runs past midnight when the range ends before it starts, and 24:00 is midnight', () => {
    assert.equal(openAt('22:00-02:00', at('23:30'), 'UTC'), true);
    assert.equal(openAt('22:00-02:00', at('01:59'), 'UTC'), true);
    assert.equal(openAt('22:00-02:00', at('12:00'), 'UTC'), false);
    assert.equal(openAt('18:00-24:00', at('23:59'), 'UTC'), true);
    assert.equal(openAt('18:00-24:00', at('00:00'), 'UTC'), false);
  });
  test('reads the clock in the property’s zone', () => {
    // In December Paris is UTC+1 (07:30 there), Lisbon UTC+0 (06:30).
    assert.equal(openAt('07:00-22:00', at('06:30'), 'Europe/Paris'), true);
    assert.equal(openAt('07:00-22:00', at('06:30'), 'Europe/Lisbon'), false);
  });
  test('equal ends mean open all day; an overnight range is the complement of its reverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 1439 }), (a, b, minute) => {
        const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
        const now = new Date(Date.UTC(2026, 11, 1, 0, minute));
        if (a === b) return openAt(`${hh(a)}-${hh(b)}`, now, 'UTC');
        return openAt(`${hh(a)}-${hh(b)}`, now, 'UTC') !== openAt(`${hh(b)}-${hh(a)}`, now, 'UTC');
      }),
    );
  });
});
