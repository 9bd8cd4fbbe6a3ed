import type { FastifyRequest } from 'fastify';
import { unauthorized } from './errors.ts';
import { parseBearer, secretMatches } from './tokens.ts';

/**
 * Returns an `onRequest` hook that admits only `Authorization: Bearer {apiKey}`. It runs
 * before the body is parsed, so a caller without the key learns nothing about its input.
 */
export function requireApiKey(apiKey: string): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const bearer = parseBearer(request.headers.authorization);
    if (bearer.kind !== 'bearer' || !secretMatches(apiKey, bearer.token)) throw unauthorized();
  };
}
