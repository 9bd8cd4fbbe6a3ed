import { hash, timingSafeEqual } from 'node:crypto';
import { bytesToBase64url, randomBytes } from '../src/protocol/bytes.ts';

const TOKEN_RE = /^ik_[A-Za-z0-9_-]{43}$/;

/** A fresh instant key token: `ik_` + 32 CSPRNG bytes as base64url (api.md section 1). */
export function generateInstantKeyToken(): string {
  return `ik_${bytesToBase64url(randomBytes(32))}`;
}

/** Whether `text` has the shape of an instant key token (saves a lookup for garbage). */
export function isInstantKeyToken(text: string): boolean {
  return TOKEN_RE.test(text);
}

/** SHA-256 of a secret: the only form in which tokens are stored or used as map keys. */
export function sha256(text: string): Buffer {
  // The one-shot form: half the cost of a Hash object, on every credential request.
  return hash('sha256', text, 'buffer');
}

/** The parsed `Authorization` header. */
export type Bearer = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'bearer'; token: string };

/** Parses `Authorization: Bearer <token>` (scheme case-insensitive, RFC 9110). */
export function parseBearer(header: string | string[] | undefined): Bearer {
  if (header === undefined || header === '') return { kind: 'missing' };
  if (Array.isArray(header)) return { kind: 'malformed' };
  const m = /^Bearer +([\x21-\x7e]+)$/i.exec(header.trim());
  return m ? { kind: 'bearer', token: m[1]! } : { kind: 'malformed' };
}

/**
 * Compares a presented secret with the expected one in constant time. Both are hashed first
 * so that neither the content nor the length of the expected key leaks through timing.
 */
export function secretMatches(expected: string, presented: string): boolean {
  return timingSafeEqual(sha256(expected), sha256(presented));
}
