import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import { ApiError } from './errors.ts';

/*
 * DPoP proofs (RFC 9449) on the credential endpoint: the element signs each request with its
 * device key, and the key's JWK thumbprint (RFC 7638) is the device that `max_use_count`
 * counts. A proof is accepted once (its `jti` is remembered for as long as it could be
 * accepted), for one method and URL, for one link token (`ath`), and only while fresh: its
 * `iat` within IAT_WINDOW_S of the server's clock, or, for a phone whose clock is off, with a
 * nonce this server issued within NONCE_TTL_S (RFC 9449 section 8).
 */

/** How far a proof's `iat` may be from the server's clock, either way, without a nonce. */
export const IAT_WINDOW_S = 60;
/** How long a server nonce (`DPoP-Nonce`) is good for. */
export const NONCE_TTL_S = 120;
/** Proofs remembered at most; past that, new proofs wait (503) rather than replays pass. */
const MAX_REMEMBERED = 500_000;
/** Remembered proofs are kept in sets by when they expire, this many ms per set. */
const SLOT_MS = 10_000;
/** Imported public keys kept, with their thumbprints: most requests come from devices seen before. */
const MAX_KEYS = 10_000;

const PROOF_RE = /^[\w-]{1,2048}\.[\w-]{1,4096}\.[\w-]{86}$/;
const B64_COORD_RE = /^[\w-]{43}$/;
const JTI_RE = /^[\w.~-]{16,64}$/;
const NONCE_RE = /^[\w-]{27}$/;

/** What a verified proof says about its request. */
export interface VerifiedProof {
  /** The device: the SHA-256 JWK thumbprint (RFC 7638) of the proof's key, base64url. */
  thumbprint: string;
}

/** The request a proof must match. */
export interface ProofContext {
  htm: string;
  /** The URLs this request may be signed for (normalized, see {@link normalizedHtu}). */
  htu: readonly string[];
  /** base64url SHA-256 of the link token the request carries. */
  ath: string;
  /** Epoch milliseconds. */
  now: number;
}

const failure = (type: string, message: string, rfcError: 'invalid_dpop_proof' | 'use_dpop_nonce', extra: Record<string, string> = {}) =>
  new ApiError(401, type, message, undefined, { 'www-authenticate': `DPoP error="${rfcError}", algs="ES256"`, ...extra });

/** 401 `dpop_proof_required`: no `DPoP` header. */
const required = () => failure('dpop_proof_required', 'A DPoP proof of the device key is required', 'invalid_dpop_proof');
/** 401 `invalid_dpop_proof`: malformed, badly signed, or for another request. */
const invalid = (why: string) => failure('invalid_dpop_proof', `The DPoP proof is not valid: ${why}`, 'invalid_dpop_proof');

/** Verifies DPoP proofs and remembers the ones it accepted. One per server process. */
export class DpopVerifier {
  private readonly secret = randomBytes(32);
  /**
   * The `jti` of every accepted proof, in sets by the slot (SLOT_MS) in which the proof stops
   * being acceptable: a whole set is dropped once past, with no per-entry sweep.
   */
  private readonly seen = new Map<number, Set<string>>();
  private remembered = 0;
  /** `x.y` of a device's public key -> the imported key and its thumbprint. */
  private readonly keys = new Map<string, { key: CryptoKey; thumbprint: string }>();
  /** No proof made before this process started is accepted: its memory of proofs starts here. */
  private readonly startedS: number;

  constructor(now: number) {
    this.startedS = Math.floor(now / 1000);
  }

  /** A fresh nonce (`DPoP-Nonce`): the issue time and its HMAC under this process's secret. */
  nonce(now: number): string {
    const issued = Buffer.alloc(4);
    issued.writeUInt32BE(Math.floor(now / 1000));
    return Buffer.concat([issued, this.mac(issued)]).toString('base64url');
  }

  /** When a nonce of ours was issued (epoch seconds), or undefined for anything else. */
  private nonceIssuedS(nonce: unknown): number | undefined {
    if (typeof nonce !== 'string' || !NONCE_RE.test(nonce)) return undefined;
    const bytes = Buffer.from(nonce, 'base64url');
    const issued = bytes.subarray(0, 4);
    return timingSafeEqual(bytes.subarray(4), this.mac(issued)) ? issued.readUInt32BE() : undefined;
  }

  private mac(issued: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(issued).digest().subarray(0, 16);
  }

  /**
   * Verifies the `DPoP` header of a request; throws a 401 {@link ApiError} (with a
   * `DPoP-Nonce` when a fresh nonce would let an honest client through) or returns the device.
   */
  async verify(header: string | string[] | undefined, context: ProofContext): Promise<VerifiedProof> {
    if (header === undefined || header === '') throw required();
    if (typeof header !== 'string' || !PROOF_RE.test(header)) throw invalid('not a compact JWS');
    let device: { key: CryptoKey; thumbprint: string } | undefined;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(
        header,
        async (protectedHeader) => (device = await this.importKey(publicJwk(protectedHeader.jwk))).key,
        { typ: 'dpop+jwt', algorithms: ['ES256'], requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'], currentDate: new Date(context.now) },
      ));
    } catch (error) {
      throw error instanceof ApiError ? error : invalid('bad header, claims or signature');
    }
    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || !JTI_RE.test(jti)) throw invalid('jti must be 16-64 URL-safe characters');
    if (htm !== context.htm) throw invalid(`htm must be ${context.htm}`);
    if (typeof htu !== 'string' || !context.htu.includes(normalizedHtu(htu)!)) throw invalid(`htu must be ${context.htu[0]}`);
    if (ath !== context.ath) throw invalid('ath is not the hash of this request\'s link token');
    if (typeof iat !== 'number' || !Number.isInteger(iat)) throw invalid('iat must be an integer');

    const nowS = Math.floor(context.now / 1000);
    const issued = nonce === undefined ? undefined : this.nonceIssuedS(nonce);
    let acceptableUntilS: number;
    if (issued !== undefined && issued >= this.startedS && nowS - issued <= NONCE_TTL_S) {
      acceptableUntilS = issued + NONCE_TTL_S;
    } else if (nonce === undefined && Math.abs(iat - nowS) <= IAT_WINDOW_S && iat >= this.startedS) {
      acceptableUntilS = iat + IAT_WINDOW_S;
    } else {
      const message = nonce === undefined ? 'The DPoP proof is not fresh: sign it again with this DPoP-Nonce' : 'The DPoP nonce is not valid or has expired';
      throw failure('use_dpop_nonce', message, 'use_dpop_nonce', { 'dpop-nonce': this.nonce(context.now) });
    }

    const { thumbprint } = device!;
    // Acceptable through the whole of its last second.
    this.remember(jti, (acceptableUntilS + 1) * 1000, context.now);
    return { thumbprint };
  }

  /**
   * Records a proof as used until `until` (epoch ms); a proof seen before is a replay. Keyed
   * by `jti` alone: a client picks its own, so another key reusing one only refuses itself.
   */
  private remember(jti: string, until: number, now: number): void {
    for (const [slot, set] of this.seen) {
      if ((slot + 1) * SLOT_MS <= now) {
        this.seen.delete(slot);
        this.remembered -= set.size;
      } else if (set.has(jti)) {
        throw failure('dpop_proof_replayed', 'This DPoP proof was already used: every request needs a new one', 'invalid_dpop_proof');
      }
    }
    if (this.remembered >= MAX_REMEMBERED) throw new ApiError(503, 'server_busy', 'Too many requests to remember; retry later', undefined, { 'retry-after': '10' });
    const slot = Math.floor(until / SLOT_MS);
    let set = this.seen.get(slot);
    if (!set) this.seen.set(slot, (set = new Set()));
    set.add(jti);
    this.remembered++;
  }

  private async importKey(jwk: JWK): Promise<{ key: CryptoKey; thumbprint: string }> {
    const id = `${jwk.x}.${jwk.y}`;
    let device = this.keys.get(id);
    if (!device) {
      device = { key: (await importJWK(jwk, 'ES256')) as CryptoKey, thumbprint: await calculateJwkThumbprint(jwk, 'sha256') };
      if (this.keys.size >= MAX_KEYS) this.keys.clear();
      this.keys.set(id, device);
    }
    return device;
  }
}

/** The proof's `jwk` header as a P-256 public key with exactly its RFC 7638 members, or a 401. */
function publicJwk(value: unknown): JWK {
  const jwk = value as Record<string, unknown> | undefined;
  if (typeof jwk !== 'object' || jwk === null || jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256') throw invalid('jwk must be a P-256 public key');
  if ('d' in jwk) throw invalid('jwk must not hold a private key');
  const { x, y } = jwk;
  if (typeof x !== 'string' || typeof y !== 'string' || !B64_COORD_RE.test(x) || !B64_COORD_RE.test(y)) throw invalid('jwk x and y must be 32-byte base64url');
  return { kty: 'EC', crv: 'P-256', x, y };
}

/** `htu` compared as RFC 9449 says: as a URL, without query and fragment. */
export function normalizedHtu(htu: string): string | undefined {
  try {
    const url = new URL(htu);
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}
