import { isIPv4, isIPv6 } from 'node:net';
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
    return this.wait(w, w.count, now);
  }

  /**
   * The seconds to wait before `key` may spend its budget once more, without counting a
   * request: `0` while one more {@link hit} would be within budget.
   */
  check(key: string, now: number): number {
    const w = this.windows.get(key);
    return !w || now - w.start >= this.limit.windowMs ? 0 : this.wait(w, w.count + 1, now);
  }

  private wait(w: { start: number }, count: number, now: number): number {
    if (count <= this.limit.max) return 0;
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

/**
 * The budget key of a client address: an IPv4 address as is (also when written IPv4-mapped,
 * `::ffff:192.0.2.1`), an IPv6 address by its /64 (one subscriber's whole network: a client
 * that could rotate through 2^64 addresses must not get 2^64 budgets).
 */
export function addressGroup(ip: string): string {
  if (isIPv4(ip)) return ip;
  const bare = ip.replace(/%.*$/, ''); // a zone index names an interface, not a host
  if (!isIPv6(bare)) return ip;
  const words = ipv6Words(bare);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `${words[6]! >> 8}.${words[6]! & 255}.${words[7]! >> 8}.${words[7]! & 255}`;
  }
  return `${words
    .slice(0, 4)
    .map((w) => w.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit words of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read). */
function ipv6Words(ip: string): number[] {
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((piece) => {
          if (!piece.includes('.')) return [parseInt(piece, 16)];
          const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = ip.split('::');
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The credential endpoint's budgets, arranged so that nobody can spend a guest's. A request
 * with a well-formed token is charged to that token's budget only (keyed by the token's hash),
 * so junk sent from a guest's address (a hotel Wi-Fi NAT, a carrier's CGNAT) never blocks
 * the guest. Requests without one (no token, a malformed header, a string that is not a
 * token) are charged to their address group's junk budget, and so is a well-formed token that
 * turns out unknown: guessing tokens is junk too.
 */
export class CredentialRateLimits {
  private readonly perToken: RateLimiter;
  private readonly junkPerAddress: RateLimiter;

  constructor(limits: { perToken: RateLimitWindow; perIp: RateLimitWindow }) {
    this.perToken = new RateLimiter(limits.perToken);
    this.junkPerAddress = new RateLimiter(limits.perIp);
  }

  /**
   * Charges a request from `ip` carrying the token whose hash is `tokenKey` (`null`: no
   * well-formed token). Returns the seconds to wait, else `0`.
   */
  charge(ip: string, tokenKey: string | null, now: number): number {
    return tokenKey === null ? this.junkPerAddress.hit(addressGroup(ip), now) : this.perToken.hit(tokenKey, now);
  }

  /** Charges a well-formed but unknown token to its address's junk budget; returns the wait. */
  chargeUnknownToken(ip: string, now: number): number {
    return this.junkPerAddress.hit(addressGroup(ip), now);
  }
}
