/*
 * A DPoP proof (RFC 9449) of the device key, for one request: a compact JWS (ES256) with the
 * public key in its header and, as claims, the request's method and URL, the time, a fresh
 * id, and `ath`, the hash of the link token, so the proof is good for that token only.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);
// Not protocol/bytes.ts: that module belongs to the lazy unlock engine, and importing it here
// would pull all of it into the entry.
const b64 = (data: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(data))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const part = (value: object) => b64(utf8(JSON.stringify(value)));

/** What a proof is for. `now` (epoch ms) is for tests; the device clock otherwise. */
export interface ProofRequest {
  htm: string;
  /** The request URL without query or fragment. */
  htu: string;
  token: string;
  /** The server's last `DPoP-Nonce`, when it asked for one. */
  nonce?: string | undefined;
  now?: number;
}

/** The `DPoP` header value for one request, signed with the device's private key. */
export async function dpopProof(keys: CryptoKeyPair, { htm, htu, token, nonce, now = Date.now() }: ProofRequest): Promise<string> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const claims = {
    jti: b64(crypto.getRandomValues(new Uint8Array(16))),
    htm,
    htu,
    iat: Math.floor(now / 1000),
    ath: b64(await crypto.subtle.digest('SHA-256', utf8(token))),
    nonce,
  };
  const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${part(claims)}`;
  // WebCrypto's ECDSA signature is r || s, which is what JWS's ES256 is.
  return `${input}.${b64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, utf8(input)))}`;
}
