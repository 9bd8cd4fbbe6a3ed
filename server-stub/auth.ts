import type { FastifyRequest } from 'fastify';
import { rateLimited, unauthorized } from './errors.ts';
import { addressGroup, type RateLimiter } from './rate-limit.ts';
import { parseBearer, secretMatches } from './tokens.ts';

/**
 * Returns an `onRequest` hook that admits only `Authorization: Bearer {apiKey}`. It runs
 * before the body is parsed, so a caller without the key learns nothing about its input.
 * The key is compared in constant time; each failure is charged to the caller's address
 * (IPv6: its /64) in `failures`, and an address out of budget gets 429 before its key is
 * even looked at, so that a throttled guesser cannot tell a right guess from a wrong one.
 */
export function requireApiKey(apiKey: string, failures: RateLimiter, clock: () => number): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const address = addressGroup(request.ip);
    const now = clock();
    const wait = failures.check(address, now);
    if (wait > 0) throw rateLimited(wait);
    const bearer = parseBearer(request.headers.authorization);
    if (bearer.kind === 'bearer' && secretMatches(apiKey, bearer.token)) return;
    failures.hit(address, now);
    // Told once per window, when the address runs out (the key it tried is never logged).
    if (failures.check(address, now) > 0) request.log.warn({ address }, 'admin authentication throttled: too many failures from this address');
    throw unauthorized();
  };
}
