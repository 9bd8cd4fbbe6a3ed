/** A credentials response in the api.md shape, built fresh for each test. */
import { bytesToBase64url } from '../../../src/protocol/bytes.ts';

export const TOKEN = 'ik_' + 'S3cr3tT0kenS3cr3tT0kenS3cr3tT0kenS3cr3tT0k';

export interface ResponseBody {
  ok: unknown;
  instant_key: Record<string, unknown> & { user_identity: Record<string, unknown>; customization: Record<string, unknown> };
  credentials: Array<Record<string, unknown> & { entrance: Record<string, unknown>; lock: Record<string, unknown> }>;
  upcoming: Array<Record<string, unknown> & { entrance: Record<string, unknown> }>;
  refresh_after_s: unknown;
}

export function bytesOf(length: number, fill = 7): string {
  return bytesToBase64url(new Uint8Array(length).fill(fill));
}

export function responseBody(): ResponseBody {
  return {
    ok: true,
    instant_key: {
      instant_key_id: '0b6c8a52-3a9c-4b8e-9f61-2f0d2b8f4c11',
      expires_at: '2026-12-24T11:00:00.000Z',
      user_identity: { display_name: 'Ada Lovelace' },
      customization: { primary_color: '#1d3557', secondary_color: '#f1faee', logo_url: 'https://hotel.example/logo.svg' },
    },
    credentials: [
      {
        credential_id: '7f1e2d3c-4b5a-4697-8a1b-2c3d4e5f6a7b',
        entrance: { acs_entrance_id: 'c0ffee00-1111-4222-8333-444455556666', display_name: 'Room 412', kind: 'guest_room' },
        lock: { lock_id: '3fa2c1d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d', ble_name: 'IK-3FA2C1' },
        starts_at: '2026-11-24T15:00:00Z',
        ends_at: '2026-11-27T11:00:00Z',
        ticket: bytesOf(114, 1),
        credential_key: bytesOf(32, 2),
        ticket_expires_at: '2026-11-24T16:00:00Z',
      },
    ],
    upcoming: [
      {
        entrance: { acs_entrance_id: 'd00dfeed-1111-4222-8333-444455556666', display_name: 'Spa', kind: 'amenity' },
        starts_at: '2026-11-26T09:00:00Z',
        ends_at: '2026-11-26T12:00:00Z',
      },
    ],
    refresh_after_s: 300,
  };
}
