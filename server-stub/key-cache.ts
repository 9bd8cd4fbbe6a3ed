import type { InstantKeyRow } from './store/instant-keys.ts';

/** Entries kept at most in each map; past that it starts over (it only saves work). */
const MAX_ENTRIES = 100_000;

/**
 * What the credential endpoint reads on every request, kept between requests: instant key
 * rows by token hash, and the (key, device) pairs already admitted, a device being its DPoP
 * key's thumbprint. A key row changes only
 * through an admin route (revocation), and every admin request clears the rows (see
 * `adminRoute`), so a cached row is the stored one. Admissions are only ever added, and are
 * remembered only once committed, so a known pair stays true.
 */
export class KeyCache {
  private readonly keys = new Map<string, InstantKeyRow>();
  private readonly admitted = new Set<string>();

  /** The key of the token whose SHA-256 is `tokenKey` (base64), from the cache or from `load`. */
  key(tokenKey: string, load: () => InstantKeyRow | undefined): InstantKeyRow | undefined {
    let row = this.keys.get(tokenKey);
    if (row) return row;
    row = load();
    if (row) {
      if (this.keys.size >= MAX_ENTRIES) this.keys.clear();
      this.keys.set(tokenKey, row);
    }
    return row;
  }

  /**
   * Whether a use of the token whose SHA-256 is `tokenKey` (base64) from `deviceId` may
   * admit the device for the first time: not unless its key is cached and the device known
   * to be admitted.
   */
  mayAdmit(tokenKey: string, deviceId: string): boolean {
    const row = this.keys.get(tokenKey);
    return row === undefined || !this.isAdmitted(row.instant_key_id, deviceId);
  }

  /** Whether `deviceId` is known to be admitted for key `instantKeyId`. */
  isAdmitted(instantKeyId: string, deviceId: string): boolean {
    return this.admitted.has(`${instantKeyId} ${deviceId}`);
  }

  /** Remembers a committed admission. */
  rememberAdmitted(instantKeyId: string, deviceId: string): void {
    if (this.admitted.size >= MAX_ENTRIES) this.admitted.clear();
    this.admitted.add(`${instantKeyId} ${deviceId}`);
  }

  /** Forgets every key row: an admin write may have changed one. */
  clearKeys(): void {
    this.keys.clear();
  }
}
