import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64urlToBytes, bytesToBase64url } from '../../src/protocol/bytes.ts';
import { openTicket } from '../../src/protocol/ticket.ts';
import { seedDemoHotel } from '../../server-stub/seed.ts';
import { TestServer } from './helpers.ts';

test('seeds Ada Lovelace with working keys for Room 412, Elevator bank A and the Pool', async () => {
  const t = await TestServer.start();
  try {
    const roomKey = bytesToBase64url(new Uint8Array(32).fill(1));
    const hotel = await seedDemoHotel(t.server, { lockKeys: { room: roomKey }, bleNames: { pool: 'IK-POOL01' }, now: t.clock.ms });
    assert.deepEqual(
      hotel.entrances.map((e) => [e.display_name, e.kind]),
      [
        ['Room 412', 'guest_room'],
        ['Elevator bank A', 'elevator'],
        ['Pool', 'amenity'],
      ],
    );
    assert.equal(hotel.room.lock.lock_key, roomKey);
    assert.equal(hotel.pool.lock.ble_name, 'IK-POOL01');
    assert.equal(hotel.instant_key_url, `${t.url}/k#${hotel.token}`);

    const res = await t.credentials(hotel.token);
    assert.equal(res.status, 200);
    assert.equal(res.body.instant_key.user_identity.display_name, 'Ada Lovelace');
    assert.equal(res.body.credentials.length, 3);
    assert.equal(res.body.instant_key.customization.hotel_name, 'Hotel Aurora');
    assert.equal(res.body.instant_key.customization.support_phone, '+15555550100');
    assert.equal(res.body.instant_key.check_out_at, new Date(t.clock.ms + 3 * 86_400_000).toISOString());
    assert.deepEqual(res.body.credentials.map((c: any) => c.entrance.floor ?? c.entrance.hours), ['4', undefined, '07:00-22:00']);
    res.body.credentials.forEach((c: any, i: number) => {
      const lock = hotel.entrances[i]!.lock;
      assert.equal(c.lock.lock_id, lock.lock_id);
      const opened = openTicket(base64urlToBytes(lock.lock_key), base64urlToBytes(c.ticket));
      assert.ok(opened.ok && opened.ticket.lockId === lock.lock_id);
    });
  } finally {
    await t.close();
  }
});

test('seeds a store seeded before, reusing its guest (emails are unique)', async () => {
  const t = await TestServer.start();
  try {
    const first = await seedDemoHotel(t.server, { now: t.clock.ms });
    const second = await seedDemoHotel(t.server, { now: t.clock.ms });
    assert.equal(second.user_identity_id, first.user_identity_id);
    assert.equal((await t.credentials(second.token)).status, 200);
  } finally {
    await t.close();
  }
});
