import { RandomPool } from './random-pool.ts';

const pool = new RandomPool();

/**
 * A UUIDv7 (RFC 9562, section 5.7): the time in milliseconds, then 74 random bits. Ids made
 * later sort later, so a table indexed by them grows at its right edge: an insert touches
 * the last page of the index instead of a random one, which keeps each commit small.
 */
export function uuid7(now: number): string {
  const random = pool.take(10);
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  random[0] = (random[0]! & 0x0f) | 0x70; // version 7
  random[2] = (random[2]! & 0x3f) | 0x80; // variant 10
  const hex = random.toString('hex');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 20)}`;
}
