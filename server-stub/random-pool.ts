import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the CSPRNG at a time: enough for about a hundred credential answers. */
const POOL_SIZE = 16 * 1024;

/**
 * CSPRNG bytes handed out from a pool refilled in large draws: a call into the CSPRNG costs
 * microseconds whatever its size, and the credential endpoint needs 56 fresh bytes per
 * credential per request. Every byte is handed out once and the pool never leaves this
 * module: callers get copies.
 */
export class RandomPool {
  private readonly pool = Buffer.alloc(POOL_SIZE);
  private next = POOL_SIZE;

  /** `length` fresh random bytes. */
  take(length: number): Buffer {
    if (length > POOL_SIZE) return randomFillSync(Buffer.alloc(length));
    if (this.next + length > POOL_SIZE) {
      randomFillSync(this.pool);
      this.next = 0;
    }
    const out = Buffer.from(this.pool.subarray(this.next, this.next + length));
    this.pool.fill(0, this.next, this.next + length);
    this.next += length;
    return out;
  }
}
