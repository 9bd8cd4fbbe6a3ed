import type { RateLimitWindow } from './config.ts';

/** Counters kept at most: past that the oldest go first, so memory stays bounded under a flood. */
const MAX_KEYS = 100_000;

/**
 * Fixed-window request counters kept in memory (one server process). Returns the seconds
 * to wait when `key` is over budget, else `0`.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastPrune = 0;

  constructor(private readonly limit: RateLimitWindow) {}

  /** Counts one request for `key` at `now` (epoch ms). */
  hit(key: string, now: number): number {
    if (this.windows.size >= MAX_KEYS) this.prune(now);
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.limit.windowMs) {
      // Re-inserted, so that the map stays ordered by window start (oldest first).
      this.windows.delete(key);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.limit.max) return 0;
    return Math.max(1, Math.ceil((w.start + this.limit.windowMs - now) / 1000));
  }

  /**
   * Drops ended windows, at most once a window, so that a full map does not make every request
   * walk it; if every window is still live, drops the oldest tenth.
   */
  private prune(now: number): void {
    if (now - this.lastPrune >= this.limit.windowMs) {
      this.lastPrune = now;
      for (const [key, w] of this.windows) {
        if (now - w.start < this.limit.windowMs) break;
        this.windows.delete(key);
      }
    }
    if (this.windows.size < MAX_KEYS) return;
    let drop = MAX_KEYS / 10;
    for (const key of this.windows.keys()) {
      if (drop-- <= 0) break;
      this.windows.delete(key);
    }
  }
}
